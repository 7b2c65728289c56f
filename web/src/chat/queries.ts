const QUOTA_FIELDS = 'limit used remaining resetsAt ratePerMinute';
const CITATION_FIELDS = 'documentId title sourceUrl score';

export const QUOTA = `query Quota { quota { ${QUOTA_FIELDS} } }`;

export const ASK_STREAM = `subscription AskStream($input: AskInput!) {
  askStream(input: $input) {
    delta
    done
    result { answer conversationId messageId grounded citations { ${CITATION_FIELDS} } quota { ${QUOTA_FIELDS} } }
  }
}`;

export const CONVERSATIONS = `query Conversations($first: Int, $after: String) {
  conversations(first: $first, after: $after) {
    edges { node { id title updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CONVERSATION = `query Conversation($id: ID!) {
  conversation(id: $id) { id title messages { id role content citations { ${CITATION_FIELDS} } } }
}`;

// Ratings are asked for separately so that a server without them still shows the conversation.
export const MESSAGE_RATINGS = `query MessageRatings($id: ID!) { conversation(id: $id) { messages { id rating } } }`;

export const EXPORT = `query Export($format: ExportFormat) { exportConversations(format: $format) }`;

export const RATE = `mutation Rate($input: RateAnswerInput!) { rateAnswer(input: $input) { id rating } }`;

import { ConversationsDocument } from '../../../src/contract/operations.generated';
import type { Api } from '../shared/api';
import { usePaged } from '../shared/usePaged';

// A failure here is not reported: the quota, read at the same time, already explains a refused key.
const ignore = () => undefined;

/** The user's conversations, newest first, twenty at a time, each further page added below. */
export function useConversations(api: Api | null) {
  return usePaged(api, ConversationsDocument, (d) => d.conversations, {}, ignore, { append: true });
}

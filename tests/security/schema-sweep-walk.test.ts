import { describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { operationCalls, schemaOperations } from '../helpers/schema-sweep';

/**
 * The walk on operations the app does not have yet (as other branches add them): the sweep must reach them
 * without being edited. Plain SDL is enough here, since getDirective reads @auth from the field's definition.
 */
const SDL = `
  directive @auth(requires: Role = CLIENT) on FIELD_DEFINITION
  enum Role { CLIENT ADMIN }
  enum Rating { UP DOWN }
  scalar DateTime
  input RateAnswerInput { messageId: ID! rating: Rating! comment: String }
  input Window { from: DateTime! to: DateTime! }
  type Feedback { id: ID! rating: Rating! message: Message! }
  type Message { id: ID! content: String! conversation: Conversation! }
  type Conversation { id: ID! title: String! messages: [Message!]! }
  type FeedbackEdge { cursor: String! node: Feedback! }
  type FeedbackConnection { edges: [FeedbackEdge!]! totalCount: Int! }
  type Query {
    plans: [String!]!
    feedback(window: Window!, first: Int = 20): FeedbackConnection! @auth
    tenantFeedback(tenantId: ID!): [Feedback!]! @auth(requires: ADMIN)
  }
  type Mutation { rateAnswer(input: RateAnswerInput!): Feedback! @auth }
`;
const pool = { tenant: ['t1'], key: ['k1'], document: ['d1'], conversation: ['c1'], message: ['m-answer', 'm-question'] };
const values = { now: new Date('2026-11-15T12:00:00Z') };

describe('the schema walk behind the foreign-tenant sweep', () => {
  const operations = schemaOperations(buildSchema(SDL));
  const op = (name: string) => operations.find((o) => o.name === name)!;

  it('reads the role from @auth, public fields included as reachable', () => {
    expect(operations.map((o) => [o.name, o.requires])).toEqual([
      ['plans', null], ['feedback', 'CLIENT'], ['tenantFeedback', 'ADMIN'], ['rateAnswer', 'CLIENT'],
    ]);
  });

  it('fills rateAnswer(input: { messageId }) with each message id and each rating, leaving optional strings out', () => {
    const calls = operationCalls(op('rateAnswer'), pool, values);
    expect(calls.map((c) => c.variables)).toEqual([
      { input: { messageId: 'm-answer', rating: 'UP' } },
      { input: { messageId: 'm-question', rating: 'UP' } },
      { input: { messageId: 'm-answer', rating: 'DOWN' } },
    ]);
    expect(calls.every((c) => c.sendsIds)).toBe(true);
    expect(calls[0].document).toBe(
      'mutation Sweep($input: RateAnswerInput!) { rateAnswer(input: $input) { __typename id rating message { __typename id content conversation { __typename id title } } } }',
    );
  });

  it('gives a date window that opens in the past and closes ahead, and selects a connection through edges and node', () => {
    const [call] = operationCalls(op('feedback'), pool, values);
    const { from, to } = call.variables.window as { from: string; to: string };
    expect(new Date(from) < values.now && values.now < new Date(to)).toBe(true);
    expect(call.sendsIds).toBe(false);
    expect(call.document).toContain('edges { cursor node { __typename id rating message { __typename id content conversation { __typename id title } } } } totalCount');
  });
});

import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { ClientCaller } from '../caller';
import { clientOf, Context, MeteredContext, StreamContext } from '../context';
import { Conversation } from '../entities/conversation.entity';
import { ExportFormat } from '../entities/enums';
import { Message } from '../entities/message.entity';
import type { AskAnswer } from '../services/chat.service';
import type { TenantScope } from '../services/tenant-scope';
import { CallerScope, CurrentClient } from './decorators';
import { AskInput, AskPayload, AskStreamEvent } from './types/ask';
import { Connection } from './types/connection';

const ConversationConnection = Connection(Conversation, 'Conversation');

/**
 * Under @metered, a subscription's `subscribe` produces the final result as a query's resolver would, given a
 * Delivery for the deltas; the directive turns it into the stream (see applyMeteredDirective). type-graphql types
 * `subscribe` as returning the stream itself, hence the cast.
 */
type Produce = (data: { args: { input: AskInput }; context: StreamContext }) => Promise<AskAnswer>;
const streamed = (produce: Produce) => produce as unknown as (data: object) => AsyncIterable<unknown>;

/** Client questions and their conversations. The tenant always comes from the key, never from an argument. */
@Resolver(() => Conversation)
export class ChatResolver {
  @Mutation(() => AskPayload, { description: "Answers a question from the tenant's documents, with citations." })
  @Directive('@auth(requires: PUBLIC)')
  @Directive('@metered')
  ask(@Ctx() ctx: MeteredContext, @CurrentClient() client: ClientCaller, @Arg('input', () => AskInput) input: AskInput): Promise<AskAnswer> {
    return ctx.services.chat.ask(client, input, ctx.io);
  }

  @Subscription(() => AskStreamEvent, {
    description: 'ask, streamed over graphql-ws: text deltas, then one event with done and the result.',
    subscribe: streamed(({ args, context }) => context.services.chat.ask(clientOf(context), args.input, context.io, context.delivery)),
  })
  @Directive('@auth(requires: PUBLIC)')
  @Directive('@metered')
  askStream(@Root() event: { askStream: AskStreamEvent }, @Arg('input', () => AskInput) _input: AskInput): AskStreamEvent {
    return event.askStream;
  }

  @Query(() => ConversationConnection, { description: "The calling tenant's conversations, most recent first." })
  @Directive('@auth(requires: PUBLIC)')
  conversations(
    @Ctx() ctx: Context,
    @CallerScope() scope: TenantScope,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return ctx.services.conversations.list(scope, first ?? 20, after);
  }

  @Query(() => Conversation, { nullable: true, description: 'One conversation of the calling tenant.' })
  @Directive('@auth(requires: PUBLIC)')
  conversation(@Ctx() ctx: Context, @CallerScope() scope: TenantScope, @Arg('id', () => ID) id: string): Promise<Conversation> {
    return ctx.services.conversations.get(scope, id);
  }

  @Query(() => String, { description: "All of the calling tenant's conversations as one JSON, Markdown or CSV text." })
  @Directive('@auth(requires: PUBLIC)')
  exportConversations(
    @Ctx() ctx: Context,
    @CallerScope() scope: TenantScope,
    @Arg('format', () => ExportFormat, { nullable: true, defaultValue: ExportFormat.JSON }) format: ExportFormat | null,
  ): Promise<string> {
    return ctx.services.conversations.export(scope, format ?? ExportFormat.JSON);
  }

  @FieldResolver(() => [Message], { description: 'The turns, oldest first.' })
  messages(@Root() conversation: Conversation, @Ctx() ctx: Context, @CallerScope() scope: TenantScope): Promise<Message[]> {
    // Only a client reaches a conversation, through its own scope; its messages are read through the same scope.
    return ctx.services.conversations.messages(scope, conversation.id);
  }
}

import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../context';
import type { MeteredContext } from '../directives/metered.directive';
import { AsyncQueue } from '../directives/async-queue';
import { Conversation } from '../entities/conversation.entity';
import { ExportFormat } from '../entities/enums';
import { Message } from '../entities/message.entity';
import { AskInput, AskPayload, AskStreamEvent } from './types/ask';
import { Connection } from './types/connection';

const ConversationConnection = Connection(Conversation, 'Conversation');

/** Client questions and their conversations. The tenant always comes from the key, never from an argument. */
@Resolver(() => Conversation)
export class ChatResolver {
  @Mutation(() => AskPayload, { description: "Answers a question from the tenant's documents, with citations." })
  @Directive('@auth')
  @Directive('@metered')
  ask(@Ctx() ctx: MeteredContext, @Arg('input', () => AskInput) input: AskInput): Promise<AskPayload> {
    return ctx.services.chat.ask(ctx.auth.principal!, input, ctx.reservation);
  }

  @Subscription(() => AskStreamEvent, {
    description: 'ask, streamed over graphql-ws: text deltas, then one event with done and the result.',
    subscribe: ({ args, context }) => {
      const ctx = context as MeteredContext;
      const queue = new AsyncQueue<{ askStream: AskStreamEvent }>();
      ctx.services.chat
        .ask(ctx.auth.principal!, args.input, ctx.reservation, (delta) => queue.push({ askStream: { delta, done: false } }))
        .then((result) => {
          queue.push({ askStream: { done: true, result } });
          queue.end();
        }, (error) => queue.fail(error));
      return queue;
    },
  })
  @Directive('@auth')
  @Directive('@metered')
  askStream(@Root() event: { askStream: AskStreamEvent }, @Arg('input', () => AskInput) _input: AskInput): AskStreamEvent {
    return event.askStream;
  }

  @Query(() => ConversationConnection, { description: "The calling tenant's conversations, most recent first." })
  @Directive('@auth')
  conversations(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return ctx.services.conversations.list(ctx.auth.principal!.tenantId!, first ?? 20, after);
  }

  @Query(() => Conversation, { nullable: true, description: 'One conversation of the calling tenant.' })
  @Directive('@auth')
  conversation(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Conversation> {
    return ctx.services.conversations.get(ctx.auth.principal!.tenantId!, id);
  }

  @Query(() => String, { description: "All of the calling tenant's conversations as one JSON, Markdown or CSV text." })
  @Directive('@auth')
  exportConversations(
    @Ctx() ctx: Context,
    @Arg('format', () => ExportFormat, { nullable: true, defaultValue: ExportFormat.JSON }) format: ExportFormat | null,
  ): Promise<string> {
    return ctx.services.conversations.export(ctx.auth.principal!.tenantId!, format ?? ExportFormat.JSON);
  }

  @FieldResolver(() => [Message], { description: 'The turns, oldest first.' })
  messages(@Root() conversation: Conversation, @Ctx() ctx: Context): Promise<Message[]> {
    return ctx.services.conversations.messages(conversation.tenantId, conversation.id);
  }
}

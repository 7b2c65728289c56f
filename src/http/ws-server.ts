import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { execute, ExecutionArgs, ExecutionResult, getOperationAST, GraphQLError, GraphQLSchema, subscribe } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { Context, createContext, presentedKey } from '../context';
import { AppError, UpstreamUnavailable, WS_CLOSE } from '../errors';
import type { Services } from '../services/registry';
import { clientIp } from './client-ip';
import { foreignOrigin } from './cors';
import { toClientError } from './format-error';
import type { QueryGuard } from './query-guard';
import { perKeyLimit } from './per-key-limit';
import { BODY_LIMITS, checkRequest } from './read-request';

export interface GraphqlWsServer {
  /** Subscriptions running now, which a shutdown waits for. */
  streams(): number;
  /** Refuses new connections and subscriptions from now on (a drain has begun). */
  drain(): void;
  /** Closes every socket. */
  close(): Promise<void>;
}

/**
 * askStream over graphql-ws on /graphql: the key comes in connection_init's payload { authorization }. A blocked IP,
 * or a connection_init with a bad key, closes the socket with the error table's close code.
 */
export function startWsServer(server: Server, services: Services, schema: GraphQLSchema, guard: QueryGuard): GraphqlWsServer {
  const { config } = services;
  let draining = false;
  // ws would otherwise take frames of up to 100 MiB, and graphql-ws parses each one before anything is checked.
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: BODY_LIMITS.client });
  const limit = perKeyLimit(schema);
  // The per-key limit, as over HTTP; a refusal is a result with errors, which onOperation sends as an `error`.
  const limited = (run: (args: ExecutionArgs) => unknown) => async (args: ExecutionArgs) => {
    const operation = getOperationAST(args.document, args.operationName);
    try {
      if (operation) await limit(args.contextValue as Context, operation);
    } catch (error) {
      if (error instanceof AppError) return { errors: [new GraphQLError(error.message, { originalError: error })] };
      throw error;
    }
    return (await run(args)) as ExecutionResult | AsyncGenerator<ExecutionResult>;
  };
  // Accepted connections, whose running subscriptions a shutdown waits for.
  const contexts = new Set<{ readonly subscriptions: Record<string, unknown> }>();
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((e) => toClientError(e, services.log));
  const cleanup = useServer<Record<string, unknown>, { ip: string }>(
    {
      schema,
      execute: limited(execute),
      subscribe: limited(subscribe),
      context: async (ctx) =>
        createContext(services, {
          requestId: randomUUID(), ip: ctx.extra.ip ?? 'unknown', key: wsKey(ctx.connectionParams), origin: foreignOrigin(ctx.extra.request),
          visitor: ctx.connectionParams?.visitor, log: services.log,
        }),
      onConnect: async (ctx) => {
        const refuse = () => {
          ctx.extra.socket.close(WS_CLOSE.FORBIDDEN.code, WS_CLOSE.FORBIDDEN.reason);
          // graphql-ws sends nothing more on a socket that is no longer open.
          return true;
        };
        if (draining) return refuse();
        const ip = clientIp(ctx.extra.request, config.trustProxy);
        (ctx.extra as { ip: string }).ip = ip;
        if (await services.abuse.ipBlockedUntil(ip)) return refuse();
        const key = wsKey(ctx.connectionParams);
        // A bad key (unknown, revoked, expired) closes the socket; a good key that is refused for now (suspended
        // tenant, blocked key) connects, and each subscription is refused with its code and extras.
        const refusal = key ? (await createContext(services, { requestId: randomUUID(), ip, key, log: services.log })).refusal : null;
        if (refusal?.error.code === 'UNAUTHENTICATED') return refuse();
        contexts.add(ctx);
        return true;
      },
      onClose: (ctx) => void contexts.delete(ctx),
      onSubscribe: (_ctx, _id, payload) => {
        const refuse = (error: AppError) => [new GraphQLError(error.message, { originalError: error })];
        if (draining) return refuse(UpstreamUnavailable('server (it is restarting)'));
        try {
          const syntaxError = checkRequest(guard, payload, 'ws');
          if (syntaxError) return [new GraphQLError(syntaxError.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        } catch (error) {
          if (error instanceof AppError) return refuse(error);
          throw error;
        }
      },
      // A subscription refused before its stream starts (by @auth) comes back as a result with errors; the contract
      // wants every refusal of a subscription as an `error` message, which graphql-ws sends for a stream that throws.
      onOperation: (_ctx, _id, _payload, _args, result) => {
        const errors = Symbol.asyncIterator in result ? undefined : (result as ExecutionResult).errors;
        return errors?.length ? failingStream(errors[0]) : undefined;
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatAll(result.errors) } : undefined),
      // graphql-ws reports here the errors of a request it could not run (validation, an unknown operationName), and
      // the refusals thrown by a stream; the one mapper tells them apart.
      onError: (_ctx, _id, _payload, errors) => formatAll(errors),
    },
    wss,
  );
  return {
    // graphql-ws keeps each socket's running subscriptions in its context; a stream ends when its ask does.
    streams: () => [...contexts].reduce((n, ctx) => n + Object.keys(ctx.subscriptions).length, 0),
    drain: () => void (draining = true),
    close: async () => {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The key of a graphql-ws connection: `authorization` (or `x-api-key`) in connection_init's payload. */
function wsKey(params: Record<string, unknown> | undefined): string | null {
  return presentedKey({ authorization: params?.authorization, 'x-api-key': params?.['x-api-key'] });
}

/** A stream whose first read throws `error`. */
function failingStream(error: unknown): AsyncIterableIterator<never> {
  return {
    next: () => Promise.reject(error),
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

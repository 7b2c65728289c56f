import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { ApiError, ContractClient, toApiError, UNREACHABLE, type GraphQLErrorJson } from '../../../src/contract/client';

export { ApiError, UNREACHABLE };

export interface StreamSink<T> {
  next(value: T): void;
  error(error: ApiError): void;
  complete(): void;
}

/**
 * The pages' way to the server: the CLI's typed client for queries and mutations, plus graphql-ws for askStream,
 * with the key (and the visitor id, if any) in the connection_init payload (never in a URL, so it stays out of logs
 * and browser history).
 */
export class Api extends ContractClient {
  private ws: Client | null = null;

  /** Runs a subscription; returns a function that cancels it. */
  subscribe<TResult, TVars extends Record<string, unknown>>(document: TypedDocumentNode<TResult, TVars>, variables: TVars, sink: StreamSink<TResult>): () => void {
    this.ws ??= createClient({
      url: this.endpoint.replace(/^http/, 'ws'),
      connectionParams: { authorization: `Bearer ${this.key}`, ...(this.visitor ? { visitor: this.visitor } : {}) },
      lazy: true,
      retryAttempts: 0,
    });
    let failed = false;
    return this.ws.subscribe<TResult>(
      { query: print(document), variables },
      {
        next: (result) => {
          if (result.errors?.length) {
            failed = true;
            sink.error(toApiError(result.errors as readonly GraphQLErrorJson[]));
          } else if (result.data) sink.next(result.data);
        },
        error: (error) => {
          if (failed) return;
          failed = true;
          sink.error(socketError(error));
        },
        complete: () => {
          if (!failed) sink.complete();
        },
      },
    );
  }

  dispose(): void {
    void this.ws?.dispose();
    this.ws = null;
  }
}

// graphql-ws reports errors as GraphQL error arrays, CloseEvents, or plain Events; the contract closes a bad key with 4403.
function socketError(error: unknown): ApiError {
  if (Array.isArray(error)) return toApiError(error as GraphQLErrorJson[]);
  const close = error as { code?: number; reason?: string };
  if (close?.code === 4403) return new ApiError('UNAUTHENTICATED', close.reason || 'A valid API key is required.');
  if (error instanceof Error) return new ApiError(UNREACHABLE, error.message);
  return new ApiError(UNREACHABLE, 'The connection to the server was lost.');
}

/** Any failure as an ApiError: a thrown value that is not one (a bug, a browser quirk) is shown as unreachable. */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(UNREACHABLE, String(error));
}

/** Saves text as a file through a temporary object URL (no data: URL, no inline script). */
export function download(filename: string, content: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

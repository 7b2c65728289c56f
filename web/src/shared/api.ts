import { createClient, type Client } from 'graphql-ws';

/** A refusal as the contract describes it: `code` is `extensions.code` (or NETWORK when the server was not reached). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface GraphQLErrorJson {
  message: string;
  extensions?: Record<string, unknown>;
}

function toApiError(errors: readonly GraphQLErrorJson[]): ApiError {
  const first = errors[0] ?? { message: 'Unknown error.' };
  const extensions = first.extensions ?? {};
  return new ApiError(String(extensions.code ?? 'INTERNAL_SERVER_ERROR'), first.message, extensions);
}

export interface StreamSink<T> {
  next(value: T): void;
  error(error: ApiError): void;
  complete(): void;
}

/**
 * The pages' only way to the server: the public contract on one endpoint, GraphQL over HTTP for everything and
 * graphql-ws for askStream. The key travels in the Authorization header (HTTP) or the connection_init payload (WebSocket),
 * never in a URL, so it stays out of logs and browser history.
 */
export class Api {
  private ws: Client | null = null;

  constructor(
    readonly endpoint: string,
    private readonly key: string,
  ) {}

  async request<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new ApiError('NETWORK', 'The server could not be reached.');
    }
    let body: { data?: T; errors?: GraphQLErrorJson[] };
    try {
      body = await response.json();
    } catch {
      throw new ApiError(response.status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'NETWORK', `The server answered ${response.status}.`);
    }
    if (body.errors?.length) throw toApiError(body.errors);
    return body.data as T;
  }

  /** Runs a subscription; returns a function that cancels it. */
  subscribe<T = any>(query: string, variables: Record<string, unknown>, sink: StreamSink<T>): () => void {
    this.ws ??= createClient({
      url: this.endpoint.replace(/^http/, 'ws'),
      connectionParams: { authorization: `Bearer ${this.key}` },
      lazy: true,
      retryAttempts: 0,
    });
    let failed = false;
    return this.ws.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors?.length) {
            failed = true;
            sink.error(toApiError(result.errors as GraphQLErrorJson[]));
          } else if (result.data) sink.next(result.data as T);
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
  if (error instanceof Error) return new ApiError('NETWORK', error.message);
  return new ApiError('NETWORK', 'The connection to the server was lost.');
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

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** The one name of a transport failure: no answer came back (server down, DNS, connection refused or cut). */
export const UNREACHABLE = 'UNREACHABLE';

/**
 * A refusal as the contract describes it: `code` is the error's `extensions.code`; `UNREACHABLE` when no answer came
 * back, `HTTP_<status>` when something other than GraphQL answered (a proxy's error page, say).
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface GraphQLErrorJson {
  message: string;
  extensions?: Record<string, unknown>;
}

/** The first GraphQL error of an answer, as an ApiError with its contract code. */
export function toApiError(errors: readonly GraphQLErrorJson[], fallbackCode = 'INTERNAL_SERVER_ERROR'): ApiError {
  const first = errors[0] ?? { message: 'Unknown error.' };
  const extensions = first.extensions ?? {};
  return new ApiError(String(extensions.code ?? fallbackCode), first.message, extensions);
}

/** Variables may be left out when the operation has no required one. */
export type VariablesOf<TVars> = Record<string, never> extends TVars ? [variables?: TVars] : [variables: TVars];

/**
 * The pages' and the CLI's one way to send an operation: a generated typed document over GraphQL over HTTP, with
 * the key in the Authorization header (never in a URL, so it stays out of logs and browser history).
 */
export class ContractClient {
  constructor(
    readonly endpoint: string,
    protected readonly key: string,
    /** A page's visitor id (X-AskDesk-Visitor): a publishable key's conversations belong to it. */
    protected readonly visitor?: string,
  ) {}

  async request<TResult, TVars>(document: TypedDocumentNode<TResult, TVars>, ...[variables]: VariablesOf<TVars>): Promise<TResult> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.key}`,
          ...(this.visitor ? { 'x-askdesk-visitor': this.visitor } : {}),
        },
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(UNREACHABLE, `cannot reach ${this.endpoint} (${cause?.code ?? cause?.message ?? (error as Error).message}).`);
    }
    const text = await response.text();
    let body: { data?: TResult | null; errors?: GraphQLErrorJson[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(`HTTP_${response.status}`, `${this.endpoint} did not answer with GraphQL (${text.slice(0, 120).trim() || 'empty body'}).`);
    }
    if (body.errors?.length) throw toApiError(body.errors, `HTTP_${response.status}`);
    if (!response.ok || !body.data) throw new ApiError(`HTTP_${response.status}`, 'The server answered without data.');
    return body.data;
  }
}

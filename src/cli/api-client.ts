/** A refusal to report in one line, `error: CODE: message`, with exit code 1. */
export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The CLI's only way to the service: GraphQL over HTTP, as any remote client, so it works the same against a
 * deployment as against a local server. Every failure becomes a Refusal carrying the contract code.
 */
export class ApiClient {
  readonly endpoint: string;

  constructor(
    readonly baseUrl: string,
    private readonly key: string,
  ) {
    this.endpoint = `${baseUrl.replace(/\/+$/, '').replace(/\/graphql$/, '')}/graphql`;
  }

  async request<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Refusal('UNREACHABLE', `cannot reach ${this.endpoint} (${cause?.code ?? cause?.message ?? (error as Error).message}).`);
    }
    const text = await response.text();
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Refusal(`HTTP_${response.status}`, `${this.endpoint} did not answer with GraphQL (${text.slice(0, 120).trim() || 'empty body'}).`);
    }
    const first = body.errors?.[0];
    if (first) throw new Refusal(first.extensions?.code ?? `HTTP_${response.status}`, first.message);
    if (!response.ok || !body.data) throw new Refusal(`HTTP_${response.status}`, 'The server answered without data.');
    return body.data;
  }
}

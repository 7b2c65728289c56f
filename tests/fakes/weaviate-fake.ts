import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kind, parse, valueFromASTUntyped, type FieldNode, type SelectionNode } from 'graphql';

/**
 * A loopback stand-in for Weaviate 1.2x, speaking the REST and GraphQL wire protocol exactly as weaviate-ts-client
 * 2.2 sends it, so the real client runs in tests. Paths, methods, query parameters, bodies, status codes and error
 * messages follow the server; where the fake does less than Weaviate (no vectors, one BM25 of its own, a subset of
 * GraphQL arguments and where operators), it answers with an error instead of pretending.
 */

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/batch/objects`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization?: string;
  /** For `POST /v1/graphql`: the class searched and the arguments of the `Get` field, as parsed. */
  graphql?: { className: string; args: Record<string, unknown> };
}

export interface StoredObject {
  id: string;
  properties: Record<string, unknown>;
  vector?: number[];
  creationTimeUnix: number;
  lastUpdateTimeUnix: number;
}

interface Property {
  name: string;
  dataType: string[];
  tokenization?: string;
  indexSearchable?: boolean;
}

interface ClassDefinition {
  class: string;
  properties: Property[];
  multiTenancyConfig: { enabled: boolean };
  [key: string]: unknown;
}

interface StoredTenant {
  activityStatus: string;
  objects: Map<string, StoredObject>;
}

interface StoredClass {
  definition: ClassDefinition;
  tenants: Map<string, StoredTenant>;
  /** Objects of a class without multi-tenancy. */
  objects: Map<string, StoredObject>;
}

interface Intervention {
  /** `/v1/graphql` or `POST /v1/batch/objects`; any request when absent. */
  route?: string;
  status?: number;
  delayMs?: number;
}

export interface WeaviateFakeOptions {
  /** When set, every request but the liveness probes needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Weaviate's QUERY_MAXIMUM_RESULTS: the most objects one batch delete removes (10 000 by default). */
  queryMaximumResults?: number;
}

/** An answer other than 200, carried by a throw out of the route handlers. */
type HttpError = Error & { status: number };

function httpError(status: number, message: string): HttpError {
  return Object.assign(new Error(message), { status });
}

function isHttpError(error: unknown): error is HttpError {
  return error instanceof Error && typeof (error as Partial<HttpError>).status === 'number';
}

const CLASS_NAME = /^[A-Z][_0-9A-Za-z]*$/;
const TENANT_NAME = /^[A-Za-z0-9\-_]{1,64}$/;
const DEFAULT_LIMIT = 10;
const K1 = 1.2;
const B = 0.75;
// Weaviate's `en` stopword preset (the Lucene list): dropped from BM25 queries.
const STOPWORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);
const ADDITIONAL = new Set(['id', 'score', 'explainScore', 'creationTimeUnix', 'lastUpdateTimeUnix']);

/** Weaviate's `word` tokenization: lower-cased runs of letters and digits. */
function words(value: unknown): string[] {
  return typeof value === 'string' ? (value.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) : [];
}

function errorBody(message: string): { error: { message: string }[] } {
  return { error: [{ message }] };
}

export class WeaviateFake {
  readonly requests: RecordedRequest[] = [];
  private readonly classes = new Map<string, StoredClass>();
  private readonly interventions: Intervention[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;

  constructor(private readonly options: WeaviateFakeOptions = {}) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * The next request to `route` (a path, or `METHOD /path`; any request when absent) is answered with `status` and
   * a Weaviate error body.
   */
  failNext(status = 503, route?: string): void {
    this.interventions.push({ status, route });
  }

  /** The next request to `route` is answered only after `delayMs`, the answer computed after the wait. */
  stallNext(delayMs: number, route?: string): void {
    this.interventions.push({ delayMs, route });
  }

  classDefinition(className: string): ClassDefinition | undefined {
    return this.classes.get(className)?.definition;
  }

  tenantNames(className: string): string[] {
    return [...(this.classes.get(className)?.tenants.keys() ?? [])];
  }

  objects(className: string, tenant?: string): StoredObject[] {
    const cls = this.classes.get(className);
    if (!cls) return [];
    const store = tenant === undefined ? cls.objects : cls.tenants.get(tenant)?.objects;
    return [...(store?.values() ?? [])];
  }

  /** The parsed `Get` of every GraphQL search received, in order. */
  searches(): { className: string; args: Record<string, unknown> }[] {
    return this.requests.flatMap((r) => (r.graphql ? [r.graphql] : []));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await new Promise<string>((resolve, reject) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (data += chunk));
      req.on('end', () => resolve(data));
      req.on('error', reject);
    });
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      authorization: req.headers.authorization,
    };
    this.requests.push(recorded);

    const i = this.interventions.findIndex(
      (x) => x.route === undefined || x.route === url.pathname || x.route === `${recorded.method} ${url.pathname}`,
    );
    const intervention = i >= 0 ? this.interventions.splice(i, 1)[0] : undefined;
    if (intervention?.delayMs) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (this.timers.delete(t), resolve()), intervention.delayMs);
        this.timers.add(t);
      });
      if (!this.server) return;
    }
    if (intervention?.status) return this.send(res, intervention.status, errorBody('fake: injected failure'));

    try {
      try {
        recorded.body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        throw httpError(400, 'request body is not valid JSON');
      }
      if (this.options.apiKey && !url.pathname.startsWith('/v1/.well-known/')) {
        if (req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
          throw httpError(401, 'anonymous access not enabled, please provide an auth scheme such as OIDC');
        }
      }
      const [status, body] = this.route(recorded);
      this.send(res, status, body);
    } catch (error) {
      if (isHttpError(error)) return this.send(res, error.status, errorBody(error.message));
      this.send(res, 500, errorBody(error instanceof Error ? error.message : String(error)));
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private route(r: RecordedRequest): [number, unknown] {
    const p = r.path;
    const m = r.method;
    if (m === 'GET' && p === '/v1/meta') return [200, { hostname: 'http://[::]:8080', version: '1.25.0', modules: {} }];
    if (m === 'GET' && (p === '/v1/.well-known/live' || p === '/v1/.well-known/ready')) return [200, undefined];
    if (p === '/v1/schema') {
      if (m === 'GET') return [200, { classes: [...this.classes.values()].map((c) => c.definition) }];
      if (m === 'POST') return [200, this.createClass(r.body)];
    }
    const tenantOne = p.match(/^\/v1\/schema\/([^/]+)\/tenants\/([^/]+)$/);
    if (tenantOne && m === 'HEAD') {
      return [this.classes.get(tenantOne[1])?.tenants.has(decodeURIComponent(tenantOne[2])) ? 200 : 404, undefined];
    }
    const tenants = p.match(/^\/v1\/schema\/([^/]+)\/tenants$/);
    if (tenants) return this.tenants(m, tenants[1], r.body);
    const cls = p.match(/^\/v1\/schema\/([^/]+)$/);
    if (cls) {
      const stored = this.classes.get(cls[1]);
      if (m === 'GET') return stored ? [200, stored.definition] : [404, undefined];
      if (m === 'DELETE') {
        this.classes.delete(cls[1]);
        return [200, undefined];
      }
    }
    if (p === '/v1/batch/objects' && m === 'POST') return [200, this.importObjects(r.body)];
    if (p === '/v1/batch/objects' && m === 'DELETE') return [200, this.deleteObjects(r.body, r.query.tenant)];
    if (p === '/v1/graphql' && m === 'POST') return [200, this.graphql(r)];
    throw httpError(404, `fake: no route for ${m} ${p}`);
  }

  private createClass(body: unknown): ClassDefinition {
    const def = body as Partial<ClassDefinition> | undefined;
    if (!def || typeof def.class !== 'string' || !CLASS_NAME.test(def.class)) {
      throw httpError(422, `'${def?.class}' is not a valid class name`);
    }
    if (this.classes.has(def.class)) throw httpError(422, `class name "${def.class}" already exists`);
    const definition: ClassDefinition = {
      ...def,
      class: def.class,
      vectorizer: def.vectorizer ?? 'none',
      properties: (def.properties ?? []).map((prop) => ({ tokenization: 'word', indexSearchable: true, ...prop })),
      multiTenancyConfig: { enabled: def.multiTenancyConfig?.enabled === true },
    };
    this.classes.set(def.class, { definition, tenants: new Map(), objects: new Map() });
    return definition;
  }

  private multiTenantClass(className: string): StoredClass {
    const cls = this.classes.get(className);
    if (!cls) throw httpError(422, `class "${className}" not found`);
    if (!cls.definition.multiTenancyConfig.enabled) {
      throw httpError(422, `multi-tenancy is not enabled for class "${className}"`);
    }
    return cls;
  }

  private tenants(method: string, className: string, body: unknown): [number, unknown] {
    const cls = this.multiTenantClass(className);
    if (method === 'GET') {
      return [200, [...cls.tenants].map(([name, t]) => ({ name, activityStatus: t.activityStatus }))];
    }
    if (!Array.isArray(body)) throw httpError(422, 'body must be an array of tenants');
    if (method === 'DELETE') {
      for (const name of body) cls.tenants.delete(String(name));
      return [200, undefined];
    }
    const given = body as { name?: string; activityStatus?: string }[];
    for (const t of given) {
      if (typeof t.name !== 'string' || !TENANT_NAME.test(t.name)) {
        throw httpError(422, `tenant name should only contain alphanumeric characters (a-z, A-Z, 0-9), underscore (_), and hyphen (-), with a length between 1 and 64 characters`);
      }
    }
    if (method === 'POST') {
      // Weaviate before 1.25 refused a repeat; later versions accept it silently. The stricter answer tests more.
      const repeat = given.find((t) => cls.tenants.has(t.name!));
      if (repeat) throw httpError(422, `tenant "${repeat.name}" already exists`);
      for (const t of given) cls.tenants.set(t.name!, { activityStatus: t.activityStatus ?? 'HOT', objects: new Map() });
      return [200, given.map((t) => ({ name: t.name, activityStatus: t.activityStatus ?? 'HOT' }))];
    }
    if (method === 'PUT') {
      for (const t of given) {
        const stored = cls.tenants.get(t.name!);
        if (!stored) throw httpError(422, `tenant not found: "${t.name}"`);
        stored.activityStatus = t.activityStatus ?? stored.activityStatus;
      }
      return [200, given];
    }
    throw httpError(405, `method ${method} not allowed`);
  }

  /** The object store a request may touch, or the message Weaviate gives for why it may not. */
  private store(className: string, tenant: string | undefined): Map<string, StoredObject> | string {
    const cls = this.classes.get(className);
    if (!cls) return `class "${className}" not found in schema`;
    if (!cls.definition.multiTenancyConfig.enabled) {
      return tenant ? `class ${className} has multi-tenancy disabled, but request was with tenant` : cls.objects;
    }
    if (!tenant) return `class ${className} has multi-tenancy enabled, but request was without tenant`;
    const t = cls.tenants.get(tenant);
    if (!t) return `tenant not found: "${tenant}"`;
    if (t.activityStatus !== 'HOT') return `tenant not active: "${tenant}"`;
    return t.objects;
  }

  private importObjects(body: unknown): unknown[] {
    const objects = (body as { objects?: unknown } | undefined)?.objects;
    if (!Array.isArray(objects)) throw httpError(422, 'objects must be an array');
    const now = Date.now();
    return objects.map((o: { class?: string; id?: string; tenant?: string; properties?: Record<string, unknown>; vector?: number[] }) => {
      const id = o.id ?? randomUUID();
      const store = this.store(o.class ?? '', o.tenant);
      const echo = { class: o.class, properties: o.properties, id, tenant: o.tenant, creationTimeUnix: now, lastUpdateTimeUnix: now };
      if (typeof store === 'string') return { ...echo, result: { status: 'FAILED', errors: errorBody(store) } };
      const created = store.get(id)?.creationTimeUnix ?? now;
      store.set(id, { id, properties: { ...o.properties }, vector: o.vector, creationTimeUnix: created, lastUpdateTimeUnix: now });
      return { ...echo, creationTimeUnix: created, result: { status: 'SUCCESS' } };
    });
  }

  private deleteObjects(body: unknown, tenant: string | undefined): unknown {
    const b = body as { match?: { class?: string; where?: Where }; output?: string; dryRun?: boolean } | undefined;
    if (!b?.match?.class) throw httpError(422, 'match.class must be set');
    if (!b.match.where) throw httpError(422, 'validate: filter cannot be empty');
    const store = this.store(b.match.class, tenant);
    if (typeof store === 'string') throw httpError(422, store);
    const where = b.match.where;
    const matched = [...store.values()].filter((o) => matches(where, o));
    const limit = this.options.queryMaximumResults ?? 10_000;
    const deleted = matched.slice(0, limit);
    if (!b.dryRun) for (const o of deleted) store.delete(o.id);
    const output = b.output ?? 'minimal';
    return {
      match: b.match,
      output,
      dryRun: b.dryRun ?? false,
      results: {
        matches: matched.length,
        limit,
        successful: b.dryRun ? 0 : deleted.length,
        failed: 0,
        ...(output === 'verbose' ? { objects: deleted.map((o) => ({ id: o.id, status: b.dryRun ? 'DRYRUN' : 'SUCCESS' })) } : {}),
      },
    };
  }

  private graphql(r: RecordedRequest): unknown {
    const query = (r.body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') return { errors: [{ message: 'Must provide query string.' }] };
    let get: FieldNode;
    let target: FieldNode;
    try {
      const doc = parse(query);
      const op = doc.definitions[0];
      if (doc.definitions.length !== 1 || op.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'query') {
        return { errors: [{ message: 'fake: only a single query operation is supported' }] };
      }
      get = onlyField(op.selectionSet.selections, 'the query');
      if (get.name.value !== 'Get') return { errors: [{ message: `fake: only Get is supported, not ${get.name.value}` }] };
      target = onlyField(get.selectionSet?.selections ?? [], 'Get');
    } catch (error) {
      return { errors: [{ message: error instanceof Error ? error.message : String(error) }] };
    }

    const className = target.name.value;
    const key = target.alias?.value ?? className;
    const args = Object.fromEntries((target.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
    r.graphql = { className, args };

    const cls = this.classes.get(className);
    if (!cls) {
      const type = this.classes.size === 0 ? 'WeaviateObj' : 'GetObjectsObj';
      const field = this.classes.size === 0 ? 'Get' : className;
      return { errors: [{ message: `Cannot query field "${field}" on type "${type}".` }] };
    }
    const unsupported = Object.keys(args).filter((a) => !['bm25', 'hybrid', 'limit', 'tenant'].includes(a));
    if (unsupported.length > 0) return { errors: [{ message: `fake: unsupported argument ${unsupported[0]}` }] };

    const fields: string[] = [];
    const additional: string[] = [];
    const propertyNames = new Set(cls.definition.properties.map((p) => p.name));
    for (const sel of target.selectionSet?.selections ?? []) {
      if (sel.kind !== Kind.FIELD) return { errors: [{ message: 'fake: fragments are not supported' }] };
      if (sel.name.value === '_additional') {
        for (const sub of sel.selectionSet?.selections ?? []) {
          if (sub.kind !== Kind.FIELD || !ADDITIONAL.has(sub.name.value)) {
            return { errors: [{ message: `fake: unsupported _additional field` }] };
          }
          additional.push(sub.name.value);
        }
      } else if (propertyNames.has(sel.name.value)) {
        fields.push(sel.name.value);
      } else {
        return { errors: [{ message: `Cannot query field "${sel.name.value}" on type "${className}".` }] };
      }
    }

    const tenant = typeof args.tenant === 'string' ? args.tenant : undefined;
    const store = this.store(className, tenant);
    if (typeof store === 'string') {
      return {
        data: { Get: { [key]: null } },
        errors: [{ message: `explorer: list class: search: object search at index ${className.toLowerCase()}: ${store}`, path: ['Get', key] }],
      };
    }

    const limit = typeof args.limit === 'number' ? args.limit : DEFAULT_LIMIT;
    const search = (args.bm25 ?? args.hybrid) as { query?: string; properties?: string[]; alpha?: number } | undefined;
    let ranked: { object: StoredObject; score: number }[];
    if (!search) {
      ranked = [...store.values()].map((object) => ({ object, score: 0 }));
    } else {
      ranked = bm25(cls.definition, [...store.values()], search.query ?? '', search.properties);
      if (args.hybrid) {
        // The fake has no vectors, so hybrid is its keyword half alone, fused as relativeScoreFusion does:
        // scores scaled to 0..1, weighted by 1 - alpha.
        const alpha = typeof search.alpha === 'number' ? search.alpha : 0.75;
        const top = ranked[0]?.score ?? 0;
        const bottom = ranked[ranked.length - 1]?.score ?? 0;
        ranked = ranked.map((x) => ({
          object: x.object,
          score: (1 - alpha) * (top === bottom ? 1 : (x.score - bottom) / (top - bottom)),
        }));
      }
    }

    const hits = ranked.slice(0, limit).map(({ object, score }) => {
      const hit: Record<string, unknown> = {};
      for (const f of fields) hit[f] = object.properties[f] ?? null;
      if (additional.length > 0) {
        const extra: Record<string, unknown> = {};
        for (const a of additional) {
          if (a === 'id') extra.id = object.id;
          if (a === 'score') extra.score = String(score); // Weaviate sends scores as strings
          if (a === 'explainScore') extra.explainScore = '';
          if (a === 'creationTimeUnix') extra.creationTimeUnix = String(object.creationTimeUnix);
          if (a === 'lastUpdateTimeUnix') extra.lastUpdateTimeUnix = String(object.lastUpdateTimeUnix);
        }
        hit._additional = extra;
      }
      return hit;
    });
    return { data: { Get: { [key]: hits } } };
  }
}

function onlyField(selections: readonly SelectionNode[], where: string): FieldNode {
  if (selections.length !== 1 || selections[0].kind !== Kind.FIELD) {
    throw new Error(`fake: expected exactly one field in ${where}`);
  }
  return selections[0];
}

interface Where {
  operator?: string;
  operands?: Where[];
  path?: string[];
  valueText?: string;
  valueString?: string;
  valueInt?: number;
  valueBoolean?: boolean;
}

function matches(where: Where, o: StoredObject): boolean {
  switch (where.operator) {
    case 'And':
      return (where.operands ?? []).every((w) => matches(w, o));
    case 'Or':
      return (where.operands ?? []).some((w) => matches(w, o));
    case 'Equal':
    case 'NotEqual': {
      if (!where.path || where.path.length !== 1) throw httpError(422, 'fake: where path must name one property');
      const expected = where.valueText ?? where.valueString ?? where.valueInt ?? where.valueBoolean;
      const equal = o.properties[where.path[0]] === expected;
      return where.operator === 'Equal' ? equal : !equal;
    }
    default:
      throw httpError(422, `fake: unsupported where operator ${where.operator}`);
  }
}

/** A plain BM25 per property, summed with each property's boost (`title^2`). */
function bm25(
  def: ClassDefinition,
  objects: StoredObject[],
  query: string,
  properties: string[] | undefined,
): { object: StoredObject; score: number }[] {
  const searchable = def.properties.filter((p) => p.dataType[0] === 'text' && p.indexSearchable !== false);
  const fields = (properties ?? searchable.map((p) => p.name)).map((spec) => {
    const [name, boost] = spec.split('^');
    if (!searchable.some((p) => p.name === name)) throw httpError(422, `property ${name} is not searchable`);
    return { name, boost: boost === undefined ? 1 : Number(boost) };
  });
  const terms = [...new Set(words(query).filter((w) => !STOPWORDS.has(w)))];
  const n = objects.length;

  const tokens = new Map<StoredObject, Map<string, string[]>>();
  for (const o of objects) tokens.set(o, new Map(fields.map((f) => [f.name, words(o.properties[f.name])])));

  const scores = new Map<StoredObject, number>();
  for (const f of fields) {
    const avgLen = objects.reduce((s, o) => s + tokens.get(o)!.get(f.name)!.length, 0) / Math.max(n, 1) || 1;
    for (const term of terms) {
      const df = objects.filter((o) => tokens.get(o)!.get(f.name)!.includes(term)).length;
      if (df === 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (const o of objects) {
        const field = tokens.get(o)!.get(f.name)!;
        const tf = field.filter((w) => w === term).length;
        if (tf === 0) continue;
        const part = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * field.length) / avgLen));
        scores.set(o, (scores.get(o) ?? 0) + f.boost * part);
      }
    }
  }
  return [...scores]
    .map(([object, score]) => ({ object, score }))
    .sort((a, b) => b.score - a.score || a.object.id.localeCompare(b.object.id));
}

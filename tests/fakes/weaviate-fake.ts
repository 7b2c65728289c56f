import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer as createGrpcServer, ServerError, Status, type CallContext, type Server as GrpcServer } from 'nice-grpc';

/**
 * A loopback Weaviate 1.32 for weaviate-client v3, so the real client runs in tests. It speaks both of the
 * client's protocols as the server does: REST on one port (meta, readiness, schema, tenants) and gRPC on another,
 * served by nice-grpc with the protocol definitions the client package ships (the Weaviate service: Search,
 * BatchObjects, BatchDelete, TenantsGet; and grpc.health.v1). Paths, status codes, gRPC codes and error messages
 * follow the server. Where it does less than Weaviate (no vectors, its own plain BM25, the filters and search
 * arguments the retriever uses), it answers with an error instead of pretending.
 */

// The client exports only its API; its protocol definitions sit beside its entry point in the package.
const requireFromHere = createRequire(import.meta.url);
const clientDir = path.dirname(requireFromHere.resolve('weaviate-client'));
const proto = (file: string) => requireFromHere(path.join(clientDir, 'proto', file));
const { WeaviateDefinition } = proto('v1/weaviate.js');
const { HealthDefinition, HealthCheckResponse_ServingStatus } = proto('google/health/v1/health.js');
const { TenantActivityStatus } = proto('v1/tenants.js');
const { Filters_Operator } = proto('v1/base.js');

export interface RecordedRequest {
  /** `REST` or `gRPC`. */
  protocol: 'REST' | 'gRPC';
  /** HTTP method, or the gRPC method name (`Search`, `BatchObjects`…). */
  method: string;
  /** REST path without the query string (`/v1/schema/Chunk/tenants`); the gRPC method's full path. */
  path: string;
  /** The JSON body, or the decoded gRPC request message. */
  body: any;
  authorization?: string;
}

export interface StoredObject {
  id: string;
  properties: Record<string, unknown>;
  creationTimeUnix: number;
  lastUpdateTimeUnix: number;
}

interface Property {
  name: string;
  dataType: string[];
  tokenization?: string;
  indexSearchable?: boolean;
  indexFilterable?: boolean;
  [key: string]: unknown;
}

interface MultiTenancyConfig {
  enabled: boolean;
  autoTenantCreation: boolean;
  autoTenantActivation: boolean;
}

export interface ClassDefinition {
  class: string;
  vectorizer: string;
  properties: Property[];
  multiTenancyConfig: MultiTenancyConfig;
  [key: string]: unknown;
}

/** Weaviate's stored activity states; the client's ACTIVE / INACTIVE / OFFLOADED are HOT / COLD / FROZEN. */
export type ActivityStatus = 'HOT' | 'COLD' | 'FROZEN';

interface StoredTenant {
  activityStatus: ActivityStatus;
  objects: Map<string, StoredObject>;
}

interface StoredClass {
  definition: ClassDefinition;
  tenants: Map<string, StoredTenant>;
  /** Objects of a class without multi-tenancy. */
  objects: Map<string, StoredObject>;
}

interface Intervention {
  /** `METHOD /path` for REST, the method name for gRPC (`Search`); any request when absent. */
  route?: string;
  /** An HTTP status for REST, a gRPC status code for gRPC. */
  status?: number;
  delayMs?: number;
}

export interface WeaviateFakeOptions {
  /** When set, every request but the liveness probes needs `Authorization: Bearer <apiKey>` (REST and gRPC). */
  apiKey?: string;
  /** Weaviate's QUERY_MAXIMUM_RESULTS: the most objects one batch delete removes (10 000 by default). */
  queryMaximumResults?: number;
}

export const VERSION = '1.32.0';
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
const STATUS_OF: Record<string, ActivityStatus> = { HOT: 'HOT', ACTIVE: 'HOT', COLD: 'COLD', INACTIVE: 'COLD', FROZEN: 'FROZEN', OFFLOADED: 'FROZEN' };
const GRPC_STATUS: Record<ActivityStatus, number> = {
  HOT: TenantActivityStatus.TENANT_ACTIVITY_STATUS_HOT,
  COLD: TenantActivityStatus.TENANT_ACTIVITY_STATUS_COLD,
  FROZEN: TenantActivityStatus.TENANT_ACTIVITY_STATUS_FROZEN,
};

/** Weaviate's `word` tokenization: lower-cased runs of letters and digits. */
function words(value: unknown): string[] {
  return typeof value === 'string' ? (value.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) : [];
}

/** A refusal: an HTTP status over REST; over gRPC, Weaviate's handlers return plain errors, which arrive as UNKNOWN. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class WeaviateFake {
  readonly requests: RecordedRequest[] = [];
  private readonly classes = new Map<string, StoredClass>();
  private readonly interventions: Intervention[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private http: HttpServer | undefined;
  private grpc: GrpcServer | undefined;
  private restUrl = '';
  private grpcUrl = '';

  constructor(private readonly options: WeaviateFakeOptions = {}) {}

  /** Starts both listeners on loopback; returns the REST base URL (the gRPC one is `grpcUrl`). */
  async start(): Promise<string> {
    const http = createHttpServer((req, res) => void this.handleRest(req, res));
    this.http = http;
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    this.restUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const grpc = createGrpcServer();
    grpc.add(WeaviateDefinition, {
      search: (req: any, ctx: CallContext) => this.rpc('Search', req, ctx, () => this.search(req)),
      batchObjects: (req: any, ctx: CallContext) => this.rpc('BatchObjects', req, ctx, () => this.batchObjects(req)),
      batchDelete: (req: any, ctx: CallContext) => this.rpc('BatchDelete', req, ctx, () => this.batchDelete(req)),
      tenantsGet: (req: any, ctx: CallContext) => this.rpc('TenantsGet', req, ctx, () => this.tenantsGet(req)),
      batchReferences: () => unimplemented('BatchReferences'),
      aggregate: () => unimplemented('Aggregate'),
      batchStream: async function* () {
        unimplemented('BatchStream');
      },
    });
    // The client checks health over the same channel before its first call; Weaviate serves it without a key.
    grpc.add(HealthDefinition, {
      check: async () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
      watch: async function* () {
        unimplemented('Watch');
      },
    });
    this.grpc = grpc;
    const port = await grpc.listen('127.0.0.1:0');
    this.grpcUrl = `http://127.0.0.1:${port}`;
    return this.restUrl;
  }

  /** The environment that points the server at this fake. */
  env(): Record<string, string> {
    return { WEAVIATE_URL: this.restUrl, WEAVIATE_GRPC_URL: this.grpcUrl };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const http = this.http;
    const grpc = this.grpc;
    this.http = undefined;
    this.grpc = undefined;
    grpc?.forceShutdown();
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  /**
   * The next request to `route` (`METHOD /path` for REST, a gRPC method name such as `Search`; any request when
   * absent) fails: with HTTP `status` over REST, with gRPC status `status` (INTERNAL by default) over gRPC.
   */
  failNext(route?: string, status?: number): void {
    this.interventions.push({ route, status: status ?? -1 });
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

  /** The stored activity status of a tenant (HOT, COLD or FROZEN), or undefined when it does not exist. */
  tenantStatus(className: string, tenant: string): ActivityStatus | undefined {
    return this.classes.get(className)?.tenants.get(tenant)?.activityStatus;
  }

  objects(className: string, tenant?: string): StoredObject[] {
    const cls = this.classes.get(className);
    if (!cls) return [];
    const store = tenant === undefined ? cls.objects : cls.tenants.get(tenant)?.objects;
    return [...(store?.values() ?? [])];
  }

  /** The requests of one protocol and method (`gRPC`, `Search`; `REST`, `POST /v1/schema`). */
  calls(protocol: 'REST' | 'gRPC', route: string): RecordedRequest[] {
    return this.requests.filter((r) => r.protocol === protocol && (protocol === 'gRPC' ? r.method === route : `${r.method} ${r.path}` === route));
  }

  // --- interventions and authentication, shared by both protocols ---

  private async intervene(route: string, alsoMatches: string): Promise<Intervention | undefined> {
    const i = this.interventions.findIndex((x) => x.route === undefined || x.route === route || x.route === alsoMatches);
    const intervention = i >= 0 ? this.interventions.splice(i, 1)[0] : undefined;
    if (intervention?.delayMs) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (this.timers.delete(t), resolve()), intervention.delayMs);
        this.timers.add(t);
      });
    }
    return intervention;
  }

  private authorized(authorization: string | undefined): boolean {
    return !this.options.apiKey || authorization === `Bearer ${this.options.apiKey}`;
  }

  // --- gRPC ---

  private async rpc<T>(method: string, request: any, ctx: CallContext, answer: () => T): Promise<T> {
    const authorization = ctx.metadata.get('authorization') ?? undefined;
    this.requests.push({ protocol: 'gRPC', method, path: `/weaviate.v1.Weaviate/${method}`, body: request, authorization });
    const intervention = await this.intervene(method, method);
    if (intervention?.status !== undefined) {
      throw new ServerError(intervention.status < 0 ? Status.INTERNAL : intervention.status, 'fake: injected failure');
    }
    if (!this.authorized(authorization)) {
      throw new ServerError(Status.UNAUTHENTICATED, 'anonymous access not enabled, please provide an auth scheme such as OIDC');
    }
    try {
      return answer();
    } catch (error) {
      if (error instanceof Refusal) throw new ServerError(Status.UNKNOWN, error.message);
      throw error;
    }
  }

  private search(req: any): unknown {
    const cls = this.classes.get(req.collection);
    if (!cls) throw new Refusal(422, `could not find class ${req.collection} in schema`);
    const unsupported = ['nearVector', 'nearObject', 'nearText', 'nearImage', 'groupBy', 'filters', 'generative', 'rerank']
      .filter((k) => req[k] !== undefined);
    if (unsupported.length > 0 || (req.sortBy ?? []).length > 0) throw new Refusal(422, `fake: unsupported search argument ${unsupported[0] ?? 'sortBy'}`);
    const store = this.store(cls, req.tenant || undefined);
    if (typeof store === 'string') {
      throw new Refusal(422, `explorer: list class: search: object search at index ${req.collection.toLowerCase()}: ${store}`);
    }

    const limit = req.limit || DEFAULT_LIMIT;
    let ranked: { object: StoredObject; score: number }[];
    if (req.bm25Search) {
      ranked = bm25(cls.definition, [...store.values()], req.bm25Search.query, req.bm25Search.properties);
    } else if (req.hybridSearch) {
      const h = req.hybridSearch;
      if (cls.definition.vectorizer === 'none' && (h.vector ?? []).length === 0 && (h.vectorBytes ?? []).length === 0 && h.alpha > 0) {
        throw new Refusal(422, `fake: hybrid search with alpha > 0 needs a vectorizer or a vector on class ${req.collection}`);
      }
      // The fake has no vectors, so hybrid is its keyword half alone, fused as relativeScoreFusion does: scores
      // scaled to 0..1, weighted by 1 - alpha.
      const keyword = bm25(cls.definition, [...store.values()], h.query, h.properties);
      const top = keyword[0]?.score ?? 0;
      const bottom = keyword[keyword.length - 1]?.score ?? 0;
      ranked = keyword.map((x) => ({ object: x.object, score: (1 - h.alpha) * (top === bottom ? 1 : (x.score - bottom) / (top - bottom)) }));
    } else {
      ranked = [...store.values()].map((object) => ({ object, score: 0 }));
    }

    const wanted: string[] | undefined = req.properties?.returnAllNonrefProperties ? undefined : req.properties?.nonRefProperties;
    const meta = req.metadata ?? {};
    return {
      took: 0.001,
      results: ranked.slice(req.offset ?? 0, (req.offset ?? 0) + limit).map(({ object, score }) => ({
        properties: {
          refProps: [],
          targetCollection: req.collection,
          refPropsRequested: false,
          nonRefProps: { fields: toValues(object.properties, wanted ?? cls.definition.properties.map((p) => p.name)) },
        },
        metadata: {
          id: object.id,
          score: meta.score ? score : 0,
          scorePresent: Boolean(meta.score),
          creationTimeUnix: meta.creationTimeUnix ? object.creationTimeUnix : 0,
          creationTimeUnixPresent: Boolean(meta.creationTimeUnix),
          lastUpdateTimeUnix: meta.lastUpdateTimeUnix ? object.lastUpdateTimeUnix : 0,
          lastUpdateTimeUnixPresent: Boolean(meta.lastUpdateTimeUnix),
        },
      })),
      groupByResults: [],
    };
  }

  private batchObjects(req: any): unknown {
    const now = Date.now();
    const errors: { index: number; error: string }[] = [];
    (req.objects ?? []).forEach((o: any, index: number) => {
      const cls = this.classes.get(o.collection);
      if (!cls) return errors.push({ index, error: `class ${o.collection} not found in schema` });
      const tenant: string | undefined = o.tenant || undefined;
      // Weaviate's auto tenant creation: an import names a tenant that does not exist yet, and it is made HOT.
      if (tenant && cls.definition.multiTenancyConfig.enabled && !cls.tenants.has(tenant) && cls.definition.multiTenancyConfig.autoTenantCreation) {
        if (!TENANT_NAME.test(tenant)) return errors.push({ index, error: `invalid tenant name ${tenant}` });
        cls.tenants.set(tenant, { activityStatus: 'HOT', objects: new Map() });
      }
      const stored = tenant ? cls.tenants.get(tenant) : undefined;
      if (stored && stored.activityStatus !== 'HOT' && cls.definition.multiTenancyConfig.autoTenantActivation) stored.activityStatus = 'HOT';
      const store = this.store(cls, tenant);
      if (typeof store === 'string') return errors.push({ index, error: store });
      const properties = { ...(o.properties?.nonRefProperties ?? {}) };
      for (const a of o.properties?.textArrayProperties ?? []) properties[a.propName] = a.values;
      const invalid = invalidProperty(cls.definition, properties);
      if (invalid) return errors.push({ index, error: invalid });
      const id = o.uuid || randomUUID();
      store.set(id, { id, properties, creationTimeUnix: store.get(id)?.creationTimeUnix ?? now, lastUpdateTimeUnix: now });
    });
    return { took: 0.001, errors };
  }

  private batchDelete(req: any): unknown {
    const cls = this.classes.get(req.collection);
    if (!cls) throw new Refusal(422, `could not find class ${req.collection} in schema`);
    if (!req.filters) throw new Refusal(422, 'batch delete: filters are required');
    const store = this.store(cls, req.tenant || undefined);
    if (typeof store === 'string') throw new Refusal(422, store);
    const matched = [...store.values()].filter((o) => matches(req.filters, o));
    const deleted = matched.slice(0, this.options.queryMaximumResults ?? 10_000);
    if (!req.dryRun) for (const o of deleted) store.delete(o.id);
    return {
      took: 0.001,
      failed: 0,
      matches: matched.length,
      successful: req.dryRun ? 0 : deleted.length,
      objects: req.verbose ? deleted.map((o) => ({ uuid: Buffer.from(o.id.replace(/-/g, ''), 'hex'), successful: !req.dryRun })) : [],
    };
  }

  private tenantsGet(req: any): unknown {
    const cls = this.multiTenantClass(req.collection);
    const names: string[] | undefined = req.names?.values;
    const chosen = [...cls.tenants].filter(([name]) => !names || names.length === 0 || names.includes(name));
    return { took: 0.001, tenants: chosen.map(([name, t]) => ({ name, activityStatus: GRPC_STATUS[t.activityStatus] })) };
  }

  // --- REST ---

  private async handleRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await new Promise<string>((resolve, reject) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (data += chunk));
      req.on('end', () => resolve(data));
      req.on('error', reject);
    });
    const method = req.method ?? 'GET';
    const recorded: RecordedRequest = { protocol: 'REST', method, path: url.pathname, body: undefined, authorization: req.headers.authorization };
    this.requests.push(recorded);

    const intervention = await this.intervene(`${method} ${url.pathname}`, url.pathname);
    if (!this.http) return;
    if (intervention?.status !== undefined) {
      return this.send(res, intervention.status < 0 ? 503 : intervention.status, errorBody('fake: injected failure'));
    }
    try {
      try {
        recorded.body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        throw new Refusal(400, 'request body is not valid JSON');
      }
      if (!url.pathname.startsWith('/v1/.well-known/') && !this.authorized(req.headers.authorization)) {
        throw new Refusal(401, 'anonymous access not enabled, please provide an auth scheme such as OIDC');
      }
      const [status, body] = this.route(method, url.pathname, recorded.body);
      this.send(res, status, body);
    } catch (error) {
      if (error instanceof Refusal) return this.send(res, error.status, errorBody(error.message));
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

  private route(m: string, p: string, body: any): [number, unknown] {
    if (m === 'GET' && p === '/v1/meta') {
      return [200, { hostname: 'http://[::]:8080', version: VERSION, modules: {}, grpcMaxMessageSize: 104858000 }];
    }
    if (m === 'GET' && (p === '/v1/.well-known/live' || p === '/v1/.well-known/ready')) return [200, undefined];
    if (p === '/v1/schema') {
      if (m === 'GET') return [200, { classes: [...this.classes.values()].map((c) => c.definition) }];
      if (m === 'POST') return [200, this.createClass(body)];
    }
    const tenantOne = p.match(/^\/v1\/schema\/([^/]+)\/tenants\/([^/]+)$/);
    if (tenantOne && (m === 'GET' || m === 'HEAD')) {
      const t = this.multiTenantClass(tenantOne[1]).tenants.get(decodeURIComponent(tenantOne[2]));
      if (!t) return [404, undefined];
      return [200, m === 'GET' ? { name: decodeURIComponent(tenantOne[2]), activityStatus: t.activityStatus } : undefined];
    }
    const tenants = p.match(/^\/v1\/schema\/([^/]+)\/tenants$/);
    if (tenants) return this.tenants(m, tenants[1], body);
    const cls = p.match(/^\/v1\/schema\/([^/]+)$/);
    if (cls) {
      const stored = this.classes.get(cls[1]);
      if (m === 'GET') return stored ? [200, stored.definition] : [404, undefined];
      if (m === 'DELETE') {
        this.classes.delete(cls[1]);
        return [200, undefined];
      }
    }
    throw new Refusal(404, `fake: no route for ${m} ${p}`);
  }

  private createClass(body: any): ClassDefinition {
    if (!body || typeof body.class !== 'string' || !CLASS_NAME.test(body.class)) {
      throw new Refusal(422, `'${body?.class}' is not a valid class name`);
    }
    if (this.classes.has(body.class)) throw new Refusal(422, `class name "${body.class}" already exists`);
    const mt = body.multiTenancyConfig ?? {};
    const definition: ClassDefinition = {
      ...body,
      class: body.class,
      vectorizer: body.vectorizer ?? 'none',
      properties: (body.properties ?? []).map((prop: Property) => ({ tokenization: 'word', indexSearchable: true, indexFilterable: true, ...prop })),
      multiTenancyConfig: { enabled: mt.enabled === true, autoTenantCreation: mt.autoTenantCreation === true, autoTenantActivation: mt.autoTenantActivation === true },
    };
    this.classes.set(body.class, { definition, tenants: new Map(), objects: new Map() });
    return definition;
  }

  private multiTenantClass(className: string): StoredClass {
    const cls = this.classes.get(className);
    if (!cls) throw new Refusal(422, `class "${className}" not found`);
    if (!cls.definition.multiTenancyConfig.enabled) throw new Refusal(422, `multi-tenancy is not enabled for class "${className}"`);
    return cls;
  }

  private tenants(method: string, className: string, body: any): [number, unknown] {
    const cls = this.multiTenantClass(className);
    if (method === 'GET') return [200, [...cls.tenants].map(([name, t]) => ({ name, activityStatus: t.activityStatus }))];
    if (!Array.isArray(body)) throw new Refusal(422, 'body must be an array of tenants');
    if (method === 'DELETE') {
      // Weaviate deletes the tenants it has and ignores names it does not know.
      for (const name of body) cls.tenants.delete(String(name));
      return [200, undefined];
    }
    const given = body as { name?: string; activityStatus?: string }[];
    for (const t of given) {
      if (typeof t.name !== 'string' || !TENANT_NAME.test(t.name)) {
        throw new Refusal(422, 'tenant name should only contain alphanumeric characters (a-z, A-Z, 0-9), underscore (_), and hyphen (-), with a length between 1 and 64 characters');
      }
      if (t.activityStatus !== undefined && !STATUS_OF[t.activityStatus]) throw new Refusal(422, `invalid activity status: ${t.activityStatus}`);
    }
    if (method === 'POST') {
      // Since 1.25 Weaviate accepts the repeat of an existing tenant silently, as it does here.
      for (const t of given) {
        if (!cls.tenants.has(t.name!)) cls.tenants.set(t.name!, { activityStatus: STATUS_OF[t.activityStatus ?? 'HOT'], objects: new Map() });
      }
      return [200, given.map((t) => ({ name: t.name, activityStatus: cls.tenants.get(t.name!)!.activityStatus }))];
    }
    if (method === 'PUT') {
      const missing = given.find((t) => !cls.tenants.has(t.name!));
      if (missing) throw new Refusal(422, `tenant not found: "${missing.name}"`);
      for (const t of given) cls.tenants.get(t.name!)!.activityStatus = STATUS_OF[t.activityStatus ?? 'HOT'];
      return [200, given.map((t) => ({ name: t.name, activityStatus: cls.tenants.get(t.name!)!.activityStatus }))];
    }
    throw new Refusal(405, `method ${method} not allowed`);
  }

  /** The object store a request may touch, or the message Weaviate gives for why it may not. */
  private store(cls: StoredClass, tenant: string | undefined): Map<string, StoredObject> | string {
    const name = cls.definition.class;
    if (!cls.definition.multiTenancyConfig.enabled) {
      return tenant ? `class ${name} has multi-tenancy disabled, but request was with tenant` : cls.objects;
    }
    if (!tenant) return `class ${name} has multi-tenancy enabled, but request was without tenant`;
    const t = cls.tenants.get(tenant);
    if (!t) return `tenant not found: "${tenant}"`;
    if (t.activityStatus !== 'HOT') return `tenant not active: "${tenant}"`;
    return t.objects;
  }
}

/** Why Weaviate would refuse a value for a declared property (a text that is not a string, an int that is not whole). */
function invalidProperty(def: ClassDefinition, properties: Record<string, unknown>): string | undefined {
  for (const [name, value] of Object.entries(properties)) {
    const type = def.properties.find((p) => p.name === name)?.dataType[0];
    if (type === 'text' && typeof value !== 'string') {
      return `invalid text property '${name}' on class '${def.class}': not a string, but ${typeof value === 'number' ? 'float64' : typeof value}`;
    }
    if (type === 'int' && !Number.isInteger(value)) return `invalid integer property '${name}' on class '${def.class}': requires an integer`;
  }
  return undefined;
}

function unimplemented(method: string): never {
  throw new ServerError(Status.UNIMPLEMENTED, `fake: ${method} is not implemented`);
}

function errorBody(message: string): { error: { message: string }[] } {
  return { error: [{ message }] };
}

/** Stored properties as the gRPC `Properties` message: one typed `Value` per field. */
function toValues(properties: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const v = properties[name];
    if (v === undefined || v === null) out[name] = { nullValue: 0 };
    else if (typeof v === 'string') out[name] = { textValue: v };
    else if (typeof v === 'boolean') out[name] = { boolValue: v };
    else if (typeof v === 'number') out[name] = Number.isInteger(v) ? { intValue: v } : { numberValue: v };
    else if (Array.isArray(v)) out[name] = { listValue: { textValues: { values: v.map(String) } } };
    else throw new Refusal(500, `fake: cannot return property ${name}`);
  }
  return out;
}

/** The filters the fake understands: equality on one property, and their conjunctions and disjunctions. */
function matches(f: any, o: StoredObject): boolean {
  switch (f.operator) {
    case Filters_Operator.OPERATOR_AND:
      return f.filters.every((x: any) => matches(x, o));
    case Filters_Operator.OPERATOR_OR:
      return f.filters.some((x: any) => matches(x, o));
    case Filters_Operator.OPERATOR_EQUAL:
    case Filters_Operator.OPERATOR_NOT_EQUAL: {
      const property = f.target?.property ?? (f.on?.length === 1 ? f.on[0] : undefined);
      if (!property) throw new Refusal(422, 'fake: a filter must name one property');
      const expected = f.valueText ?? f.valueInt ?? f.valueBoolean ?? f.valueNumber;
      const equal = o.properties[property] === expected;
      return f.operator === Filters_Operator.OPERATOR_EQUAL ? equal : !equal;
    }
    default:
      throw new Refusal(422, `fake: unsupported filter operator ${f.operator}`);
  }
}

/** A plain BM25 per property, summed with each property's boost (`title^2`). */
function bm25(def: ClassDefinition, objects: StoredObject[], query: string, properties: string[] | undefined): { object: StoredObject; score: number }[] {
  const searchable = def.properties.filter((p) => p.dataType[0] === 'text' && p.indexSearchable !== false);
  const fields = (properties && properties.length > 0 ? properties : searchable.map((p) => p.name)).map((spec) => {
    const [name, boost] = spec.split('^');
    if (!searchable.some((p) => p.name === name)) throw new Refusal(422, `property ${name} is not searchable`);
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


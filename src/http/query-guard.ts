import {
  DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLError, GraphQLSchema, Kind, OperationDefinitionNode, parse,
  SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { isMetered } from '../directives/metered.directive';
import { BadInput, QueryTooComplex } from '../errors';

export interface QueryLimits {
  /** Deepest field path of an ordinary operation. */
  maxDepth: number;
  /** Deepest field path under `__schema` / `__type`: tools' standard introspection query needs about 13. */
  maxIntrospectionDepth: number;
  /** Root fields, and aliases anywhere, of one operation with its fragments expanded. */
  maxAliases: number;
  /** Lexical tokens of the document: bounds the work of parsing itself. */
  maxTokens: number;
  /** Fields of one operation with its fragments expanded: bounds validation and execution. */
  maxCost: number;
}

/** A GraphQL request as the guard sees it, from a JSON body, GET parameters or a graphql-ws `subscribe`. */
export interface GuardedRequest {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

/** What one selection set amounts to once its fragments are expanded. Counts may reach Infinity; that is fine. */
interface Measure {
  /** Deepest path below this set through ordinary fields, the fields of this set included. */
  depth: number;
  /** Deepest path starting at an introspection field (`__schema`, `__type`) of this set. */
  introspectionDepth: number;
  /** Fields in this set and below. */
  cost: number;
  /** Aliased fields in this set and below. */
  aliases: number;
  /** Fields of this set itself (the root fields, when this is an operation's set). */
  fields: number;
  /** Metered fields of this set itself. */
  metered: number;
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
// JSON deeper than this in variables or extensions is no input of this API; refused before anything walks it.
const MAX_JSON_DEPTH = 64;
// Bracket nesting deeper than this can't be a query within the depth limits (input objects add a few levels);
// refused before graphql-js's recursive parser could exhaust the stack on it.
const MAX_NESTING = 64;

/**
 * The one check of a GraphQL request before Apollo or graphql-ws sees it: validating and executing are the costs
 * a hostile query aims at, so they are bounded first, in time linear in the query text whatever its shape.
 * It never gives up: a document it can't afford to parse is refused, not waved through. Refusals are AppErrors
 * (QUERY_TOO_COMPLEX, or BAD_USER_INPUT for input the API never accepts); text that merely doesn't parse is left
 * to Apollo, which answers GRAPHQL_PARSE_FAILED.
 *
 * Hand-written rather than graphql-armor's validation rules: those run after a full parse inside validation,
 * expand fragments without memoising them (an 18-level fan-out is 2^18 visits), and exempt introspection from
 * depth entirely, while the contract wants introspection bounded at its own depth.
 */
export class QueryGuard {
  private readonly meteredFields: Set<string>;
  /**
   * The operations of documents that passed, by query text: client apps send the same few queries again and again,
   * and parsing and measuring each was a tenth of a keyed `me`'s CPU. Bounded by query text held, like Apollo's
   * document cache (src/http/document-cache.ts); a refused or unparsable text is never kept, so it is checked anew.
   */
  private readonly passed = new LRUCache<string, OperationDefinitionNode[]>({ maxSize: 256 * 1024, sizeCalculation: (_, query) => Math.max(1, query.length) });

  constructor(schema: GraphQLSchema, private readonly limits: QueryLimits) {
    this.meteredFields = meteredRootFields(schema);
  }

  /**
   * Throws the refusal, if any. `transport` decides whether a subscription may run. Returns the syntax error of
   * a query that doesn't parse (HTTP leaves it to Apollo; graphql-ws would fail on it with an internal error).
   */
  check(request: GuardedRequest, transport: 'http' | 'ws'): GraphQLError | undefined {
    // The request object itself is one level above its variables and extensions.
    if (jsonDeeperThan(request, MAX_JSON_DEPTH + 1)) {
      throw BadInput(`Variables, extensions and the request body may nest at most ${MAX_JSON_DEPTH} levels deep.`);
    }
    if (typeof request.query !== 'string') return undefined;
    const operations = this.passed.get(request.query) ?? this.measure(request.query);
    if (operations instanceof GraphQLError) return operations;
    const selected = selectOperation(operations, request.operationName);
    if (transport === 'http' && selected?.operation === 'subscription') {
      throw BadInput('Subscriptions are served over WebSocket (graphql-ws) on /graphql, not over HTTP.');
    }
    return undefined;
  }

  /** The document's operations once every limit holds (kept for the next request with that text), or its syntax error. */
  private measure(query: string): OperationDefinitionNode[] | GraphQLError {
    const document = this.parse(query);
    if (document instanceof GraphQLError) return document;

    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(d.name.value)) fragments.set(d.name.value, d);
    }
    const measureSet = this.measurer(fragments);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    for (const operation of operations) {
      const m = measureSet(operation.selectionSet);
      const { limits } = this;
      if (m.depth > limits.maxDepth) throw QueryTooComplex(`Query depth ${m.depth} is over the limit of ${limits.maxDepth}.`);
      if (m.introspectionDepth > limits.maxIntrospectionDepth) {
        throw QueryTooComplex(`Introspection depth ${m.introspectionDepth} is over the limit of ${limits.maxIntrospectionDepth}.`);
      }
      if (m.fields > limits.maxAliases) throw QueryTooComplex(`${count(m.fields)} root fields is over the limit of ${limits.maxAliases}.`);
      if (m.aliases > limits.maxAliases) throw QueryTooComplex(`${count(m.aliases)} aliases is over the limit of ${limits.maxAliases}.`);
      if (m.cost > limits.maxCost) throw QueryTooComplex(`${count(m.cost)} fields (fragments expanded) is over the limit of ${limits.maxCost}.`);
      // Two metered fields in one operation would let the second be refused (rate, quota) after the first was
      // charged, and the client sees a failed operation it paid for: refused whole, before anything runs.
      if (m.metered > 1) throw BadInput(`An operation may hold at most one metered field (${[...this.meteredFields].join(', ')}).`);
    }
    this.passed.set(query, operations);
    return operations;
  }

  /** The document, its syntax error when it is merely not GraphQL, or a refusal when it is too big. */
  private parse(query: string): DocumentNode | GraphQLError {
    if (nestingOf(query) > MAX_NESTING) throw QueryTooComplex(`Selections and values may nest at most ${MAX_NESTING} levels deep.`);
    try {
      return parse(query, { maxTokens: this.limits.maxTokens, noLocation: true });
    } catch (error) {
      // graphql 16 says "more that N tokens"; matched loosely so a corrected wording still counts as a refusal.
      if (error instanceof GraphQLError && !/contains more th\w+ \d+ tokens/.test(error.message)) return error;
      throw QueryTooComplex(`The query is over the limit of ${this.limits.maxTokens} tokens.`);
    }
  }

  /**
   * Measures selection sets, each fragment once: its measure is memoised by name, so a fragment spread a million
   * times costs one lookup each. A fragment reached again while it is being measured spreads itself (a cycle):
   * its expansion is infinite, so it is refused.
   */
  private measurer(fragments: Map<string, FragmentDefinitionNode>): (set: SelectionSetNode) => Measure {
    const memo = new Map<string, Measure>();
    const inProgress = new Set<string>();
    const metered = this.meteredFields;

    const measureSet = (set: SelectionSetNode): Measure => {
      const total: Measure = { depth: 0, introspectionDepth: 0, cost: 0, aliases: 0, fields: 0, metered: 0 };
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) add(total, measureField(selection));
        else if (selection.kind === Kind.INLINE_FRAGMENT) add(total, measureSet(selection.selectionSet));
        else add(total, measureFragment(selection.name.value));
      }
      return total;
    };

    const measureField = (field: FieldNode): Measure => {
      const below = field.selectionSet ? measureSet(field.selectionSet) : undefined;
      const depth = 1 + Math.max(below?.depth ?? 0, below?.introspectionDepth ?? 0);
      const introspection = INTROSPECTION_ROOTS.has(field.name.value);
      return {
        depth: introspection ? 0 : depth,
        introspectionDepth: introspection ? depth : 0,
        cost: 1 + (below?.cost ?? 0),
        aliases: (field.alias ? 1 : 0) + (below?.aliases ?? 0),
        fields: 1,
        metered: metered.has(field.name.value) ? 1 : 0,
      };
    };

    const measureFragment = (name: string): Measure => {
      const known = memo.get(name);
      if (known) return known;
      const fragment = fragments.get(name);
      if (!fragment) return { depth: 0, introspectionDepth: 0, cost: 0, aliases: 0, fields: 0, metered: 0 }; // Apollo reports it
      if (inProgress.has(name)) throw QueryTooComplex(`Fragment "${name}" spreads itself: its expansion never ends.`);
      inProgress.add(name);
      const measured = measureSet(fragment.selectionSet);
      inProgress.delete(name);
      memo.set(name, measured);
      return measured;
    };

    return measureSet;
  }
}

function add(total: Measure, part: Measure): void {
  total.depth = Math.max(total.depth, part.depth);
  total.introspectionDepth = Math.max(total.introspectionDepth, part.introspectionDepth);
  total.cost += part.cost;
  total.aliases += part.aliases;
  total.fields += part.fields;
  total.metered += part.metered;
}

function count(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? String(n) : 'Too many';
}

/** Names of the root fields carrying @metered, read from the schema so a new metered field needs no edit here. */
export function meteredRootFields(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (isMetered(schema, field)) names.add(field.name);
    }
  }
  return names;
}

/** The operation a request runs, as GraphQL selects it; undefined when ambiguous (Apollo refuses those). */
function selectOperation(operations: OperationDefinitionNode[], operationName: unknown): OperationDefinitionNode | undefined {
  if (typeof operationName === 'string' && operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/**
 * The deepest nesting of `{`, `[` and `(` in a query, outside strings and comments: one linear scan, no recursion.
 * Unbalanced text is measured as far as it goes; the parser reports it.
 */
function nestingOf(query: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < query.length && query.charCodeAt(i) !== 0x0a && query.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (query.startsWith('"""', i)) {
        let end = query.indexOf('"""', i + 3);
        while (end > 0 && query.charCodeAt(end - 1) === 0x5c /* \""" escapes the quotes */) end = query.indexOf('"""', end + 3);
        i = end < 0 ? query.length : end + 2;
      } else {
        for (i++; i < query.length; i++) {
          const s = query.charCodeAt(i);
          if (s === 0x5c) i++;
          else if (s === 0x22 || s === 0x0a || s === 0x0d) break;
        }
      }
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      depth = Math.max(0, depth - 1);
    }
  }
  return max;
}

/** Whether a JSON value nests deeper than `limit`, found without recursion so no depth can overflow the stack. */
export function jsonDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

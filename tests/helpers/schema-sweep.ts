import {
  getNamedType,
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { getDirective } from '@graphql-tools/utils';

/**
 * Calls for every root field of the schema, built from the schema's own types, so that an operation added later is
 * swept without editing the tests that use this. Values are synthesised by type; every `ID` slot takes each id of
 * the matching kind from a pool (another tenant's ids, in the sweep), and enum slots take each of their values.
 */

export const ID_KINDS = ['tenant', 'key', 'document', 'conversation', 'message'] as const;
export type IdKind = (typeof ID_KINDS)[number];
export type IdPool = Record<IdKind, string[]>;

export type Root = 'query' | 'mutation' | 'subscription';

export interface SchemaOperation {
  root: Root;
  name: string;
  /** The role `@auth` asks for; null for public fields (no `@auth`). */
  requires: 'PUBLIC' | 'CLIENT' | 'ADMIN' | null;
  field: GraphQLField<unknown, unknown>;
}

export interface OperationCall {
  operation: SchemaOperation;
  document: string;
  variables: Record<string, unknown>;
  /** The operation with the values that vary between its calls, for failure messages. */
  label: string;
  /** Whether any ID slot was filled (the call names objects rather than reading the caller's own lists). */
  sendsIds: boolean;
}

/** Every root field, with the role its `@auth` directive requires. */
export function schemaOperations(schema: GraphQLSchema): SchemaOperation[] {
  const roots: [Root, GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([root, type]) =>
    Object.values(type?.getFields() ?? {}).map((field) => {
      const auth = getDirective(schema, field, 'auth')?.[0];
      return { root, name: field.name, requires: auth ? ((auth.requires ?? 'CLIENT') as SchemaOperation['requires']) : null, field };
    }),
  );
}

interface Option { value: unknown; label: string }
interface Slot { path: string; options: Option[]; id: boolean }
type Template =
  | { kind: 'leaf'; slot: Slot }
  | { kind: 'object'; fields: [string, Template][] }
  | { kind: 'list'; item: Template };

/**
 * The calls that cover one operation: first every slot at its first option, then each slot moved through its other
 * options one at a time (not the cartesian product, which grows too fast to stay under the per-key rate limit).
 */
export function operationCalls(operation: SchemaOperation, pool: IdPool, values: Values): OperationCall[] {
  const { field } = operation;
  const args = field.args.filter((a) => mustFill(a.type, a.defaultValue) || carriesId(a.type) || isEnumType(getNamedType(a.type)));
  const templates = args.map((a) => [a.name, template(a.type, a.name, field.name, a.name, pool, values, !isNonNullType(a.type))] as const);
  const slots = templates.flatMap(([, t]) => slotsOf(t));
  const picks: Map<Slot, number>[] = [new Map()];
  for (const slot of slots) for (let i = 1; i < slot.options.length; i++) picks.push(new Map([[slot, i]]));

  const declarations = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const document = `${operation.root} Sweep${declarations ? `(${declarations})` : ''} { ${field.name}${passed ? `(${passed})` : ''} ${selection(field.type, 1)} }`;
  return picks.map((pick) => {
    const shown = slots.filter((s) => s.id || s.options.length > 1).map((s) => `${s.path}=${s.options[pick.get(s) ?? 0].label}`);
    return {
      operation,
      document,
      variables: Object.fromEntries(templates.map(([name, t]) => [name, materialise(t, pick)])),
      label: `${operation.root} ${field.name}(${shown.join(', ')})`,
      sendsIds: slots.some((s) => s.id && s.options[pick.get(s) ?? 0].value !== undefined),
    };
  });
}

function mustFill(type: GraphQLInputType, defaultValue: unknown): boolean {
  return isNonNullType(type) && defaultValue === undefined;
}

function carriesId(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === 'ID') return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => carriesId(f.type, seen));
}

/** What the sweep passes where no id is wanted: `now` anchors dates; `strings` overrides a String by its name. */
export interface Values { now: Date; strings?: Record<string, string> }

function template(type: GraphQLInputType, name: string, fieldName: string, path: string, pool: IdPool, values: Values, optional = false): Template {
  if (isNonNullType(type)) return template(type.ofType, name, fieldName, path, pool, values);
  if (isListType(type)) return { kind: 'list', item: template(type.ofType, name, fieldName, `${path}[0]`, pool, values) };
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields())
      .filter((f) => mustFill(f.type, f.defaultValue) || carriesId(f.type))
      .map((f) => [f.name, template(f.type, f.name, fieldName, `${path}.${f.name}`, pool, values, !isNonNullType(f.type))] as [string, Template]);
    return { kind: 'object', fields };
  }
  if (isEnumType(type)) {
    return { kind: 'leaf', slot: { path, id: false, options: type.getValues().map((v) => ({ value: v.name, label: v.name })) } };
  }
  if (type.name === 'ID') {
    const options: Option[] = idKinds(name, fieldName).flatMap((kind) => pool[kind].map((id, i) => ({ value: id, label: `${kind}#${i}` })));
    if (options.length === 0) throw new Error(`No id of kind ${idKinds(name, fieldName).join('/')} in the pool for ${path}`);
    // An optional id is also left out once, so the operation runs for real on the caller's own data
    // (ask without conversationId retrieves and answers, which probes retrieval isolation too).
    if (optional) options.push({ value: undefined, label: 'omitted' });
    return { kind: 'leaf', slot: { path, id: true, options } };
  }
  return { kind: 'leaf', slot: { path, id: false, options: [{ value: scalarValue(type.name, name, values), label: type.name }] } };
}

const KIND_WORDS: [IdKind, RegExp][] = [
  ['conversation', /conversation/i],
  ['message', /message|answer/i],
  ['document', /document/i],
  ['key', /key/i],
  ['tenant', /tenant/i],
];

/**
 * The kinds of id an argument may name: `conversationId` a conversation, `messageId` a message, and so on. A bare
 * `id` names whatever its field is about, but is also given every other kind, so that a resolver which looks the id
 * up in the wrong table is caught too.
 */
function idKinds(argName: string, fieldName: string): IdKind[] {
  const byName = KIND_WORDS.find(([, word]) => word.test(argName.replace(/Ids?$/, '')))?.[0];
  if (byName && argName !== 'id') return [byName];
  const byField = KIND_WORDS.find(([, word]) => word.test(fieldName))?.[0];
  return byField ? [byField, ...ID_KINDS.filter((k) => k !== byField)] : [...ID_KINDS];
}

function scalarValue(scalar: string, name: string, { now, strings = {} }: Values): unknown {
  if (name in strings) return strings[name];
  switch (scalar) {
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'DateTime': {
      // Names that open a range (from, since, start…) lie in the past; the rest (to, until, expiresAt…) ahead.
      const days = /^(from|since|start|after)/i.test(name) ? -31 : 1;
      return new Date(now.getTime() + days * 86_400_000).toISOString();
    }
    case 'String':
      if (/month/i.test(name)) return now.toISOString().slice(0, 7);
      if (/email/i.test(name)) return 'sweep@example.org';
      if (/url/i.test(name)) return 'https://example.org/sweep';
      if (/question|query/i.test(name)) return 'How do I connect to the VPN?';
      return 'sweep';
    default:
      // A new scalar needs a value here; failing beats silently leaving its operation out of the sweep.
      throw new Error(`The sweep has no value for scalar ${scalar} (argument ${name})`);
  }
}

function slotsOf(t: Template): Slot[] {
  if (t.kind === 'leaf') return [t.slot];
  if (t.kind === 'list') return slotsOf(t.item);
  return t.fields.flatMap(([, f]) => slotsOf(f));
}

function materialise(t: Template, pick: Map<Slot, number>): unknown {
  if (t.kind === 'leaf') return t.slot.options[pick.get(t.slot) ?? 0].value;
  if (t.kind === 'list') return [materialise(t.item, pick)];
  return Object.fromEntries(t.fields.map(([name, f]) => [name, materialise(f, pick)]).filter(([, v]) => v !== undefined));
}

const MAX_DEPTH = 3;

/**
 * Every scalar and enum down to depth 3 (the root field's own fields are depth 1). A Relay connection's `edges` and
 * `node` wrappers do not count, so a connection shows its nodes as deep as a plain list would.
 */
function adminOnly(field: GraphQLField<unknown, unknown>): boolean {
  return (field.astNode?.directives ?? []).some(
    (d) => d.name.value === 'auth' && (d.arguments ?? []).some((a) => a.name.value === 'requires' && a.value.kind === 'EnumValue' && a.value.value === 'ADMIN'),
  );
}

export function selection(type: GraphQLNamedType | Parameters<typeof getNamedType>[0], depth: number): string {
  const named = getNamedType(type)!;
  if (isLeafType(named)) return '';
  if (isUnionType(named)) return `{ __typename ${named.getTypes().map((m) => `... on ${m.name} ${selection(m, depth)}`).join(' ')} }`;
  if (!isObjectType(named) && !isInterfaceType(named)) return '';
  const parts = ['__typename'];
  for (const f of Object.values(named.getFields())) {
    if (f.args.some((a) => mustFill(a.type, a.defaultValue))) continue;
    // A field only the operator may read (Tenant.billing) would refuse a client's whole call; its own tests check
    // that refusal, so the sweep leaves it out to look at the rest.
    if (adminOnly(f)) continue;
    const inner = getNamedType(f.type);
    if (isLeafType(inner)) parts.push(f.name);
    else if (f.name === 'edges' && (isObjectType(inner) || isInterfaceType(inner)) && inner.getFields().node) {
      const rest = Object.values(inner.getFields()).filter((e) => e.name !== 'node' && isLeafType(getNamedType(e.type))).map((e) => e.name);
      parts.push(`edges { ${rest.join(' ')} node ${selection(inner.getFields().node.type, depth)} }`);
    } else if (depth < MAX_DEPTH) parts.push(`${f.name} ${selection(f.type, depth + 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

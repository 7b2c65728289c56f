import { DocumentNode, FieldNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse, SelectionSetNode } from 'graphql';
import { QueryTooComplex } from '../errors';

export const MAX_DEPTH = 10;
export const MAX_ROOT_FIELDS = 50;

/**
 * Depth and breadth of an operation, fragments expanded. Introspection fields (__schema, __type) are not counted:
 * tools' standard introspection query is deeper than 10 and harmless.
 */
export function measure(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): { depth: number; rootFields: number } {
  const rootFields = fields(operation.selectionSet, fragments, new Set()).filter((f) => !f.name.value.startsWith('__')).length;
  const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let max = 0;
    for (const f of fields(set, fragments, seen)) {
      if (f.name.value.startsWith('__')) continue;
      max = Math.max(max, 1 + depthOf(f.selectionSet, seen));
    }
    return max;
  };
  return { depth: depthOf(operation.selectionSet, new Set()), rootFields };
}

/** The fields of a selection set with fragment spreads and inline fragments flattened (each fragment once). */
function fields(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...fields(s.selectionSet, fragments, seen));
    else if (!seen.has(s.name.value) && fragments[s.name.value]) {
      out.push(...fields(fragments[s.name.value].selectionSet, fragments, new Set([...seen, s.name.value])));
    }
  }
  return out;
}

/**
 * Refuses an over-deep or over-wide query before Apollo validates it: validation itself is the cost a hostile
 * query aims at, and no valid query of this schema is deeper than 10 anyway. Unparseable text is left to Apollo,
 * which answers it with GRAPHQL_PARSE_FAILED.
 */
export function assertQueryComplexity(query: unknown): void {
  if (typeof query !== 'string') return;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 20_000 });
  } catch {
    return;
  }
  const fragments = Object.fromEntries(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const { depth, rootFields } = measure(definition, fragments);
    if (depth > MAX_DEPTH) throw QueryTooComplex(`Query depth ${depth} is over the limit of ${MAX_DEPTH}.`);
    if (rootFields > MAX_ROOT_FIELDS) throw QueryTooComplex(`${rootFields} root fields or aliases is over the limit of ${MAX_ROOT_FIELDS}.`);
  }
}

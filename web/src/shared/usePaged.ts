import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { VariablesOf } from '../../../src/contract/client';
import type { Api } from './api';

export const PAGE_SIZE = 20;

/** What every Relay connection of the contract answers (totalCount where the operation asks for it). */
export interface Connection<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

interface PageVariables {
  first?: number | null;
  after?: string | null;
}

export type Paged<T> = ReturnType<typeof usePaged<never, PageVariables, T>>;

/**
 * A Relay connection read a page at a time, with its filters: the console never loads a whole table. By default a
 * page replaces the previous one and going back re-reads it from the cursor it was reached with; with `append`
 * (the chat's conversation list) the next page is added below the ones already shown.
 */
export function usePaged<TResult, TVars extends PageVariables, TNode>(
  api: Api | null,
  document: TypedDocumentNode<TResult, TVars>,
  connection: (data: TResult) => Connection<TNode>,
  variables: Omit<TVars, keyof PageVariables>,
  onError: (e: unknown) => void,
  { append = false } = {},
) {
  const [page, setPage] = useState<Page<TNode> | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [loading, setLoading] = useState(false);
  const filterKey = JSON.stringify(variables);

  const load = useCallback(
    async (after: string | null) => {
      if (!api) return;
      setLoading(true);
      try {
        // The filters plus the page: TVars is exactly that, which TypeScript cannot see through the Omit.
        const pageVariables = [{ ...variables, first: PAGE_SIZE, after }] as unknown as VariablesOf<TVars>;
        const found = connection(await api.request(document, ...pageVariables));
        const nodes = found.edges.map((e) => e.node);
        setPage((previous) => ({
          nodes: append && after && previous ? [...previous.nodes, ...nodes] : nodes,
          hasNextPage: found.pageInfo.hasNextPage,
          endCursor: found.pageInfo.endCursor,
          totalCount: found.totalCount ?? 0,
        }));
      } catch (e) {
        onError(e);
      } finally {
        setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, document, filterKey],
  );

  // A new filter (or key) starts again from the first page; without a key there is nothing to show.
  useEffect(() => {
    setCursors([null]);
    if (!api) setPage(null);
    void load(null);
  }, [load]);

  return {
    page,
    loading,
    pageNumber: cursors.length,
    /** Re-reads the page shown (appending: the first page, so a new entry shows at the top). */
    reload: () => load(append ? null : cursors[cursors.length - 1]),
    next: () => {
      if (!page?.endCursor) return;
      setCursors((c) => [...c, page.endCursor]);
      void load(page.endCursor);
    },
    previous: () => {
      if (cursors.length < 2) return;
      const back = cursors.slice(0, -1);
      setCursors(back);
      void load(back[back.length - 1]);
    },
  };
}

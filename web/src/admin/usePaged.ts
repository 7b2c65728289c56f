import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api } from '../shared/api';
import type { Page } from './types';

export const PAGE_SIZE = 20;

export type Paged<T> = ReturnType<typeof usePaged<T>>;

/**
 * One page of a Relay connection at a time, fetched from the server with its filters: the console never loads a
 * whole table. Going back re-reads the previous page from the cursor it was reached with.
 */
export function usePaged<T>(api: Api, query: string, field: string, variables: Record<string, unknown>, onError: (e: unknown) => void) {
  const [page, setPage] = useState<Page<T> | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [loading, setLoading] = useState(false);
  const filterKey = JSON.stringify(variables);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      try {
        const data = await api.request(query, { ...variables, first: PAGE_SIZE, after });
        const connection = data[field];
        setPage({
          nodes: connection.edges.map((e: { node: T }) => e.node),
          hasNextPage: connection.pageInfo.hasNextPage,
          endCursor: connection.pageInfo.endCursor,
          totalCount: connection.totalCount,
        });
      } catch (e) {
        onError(e);
      } finally {
        setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, query, field, filterKey],
  );

  // A new filter starts again from the first page.
  useEffect(() => {
    setCursors([null]);
    void load(null);
  }, [load]);

  return {
    page,
    loading,
    pageNumber: cursors.length,
    reload: () => load(cursors[cursors.length - 1]),
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

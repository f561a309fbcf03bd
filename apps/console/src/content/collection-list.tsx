import { useInfiniteQuery } from '@tanstack/preact-query';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ListOf } from '../api/types';
import { ProblemView } from '../components/problem-view';
import { useSession } from '../session/session';

export interface Column<T> {
  header: string;
  cell: (item: T) => ComponentChildren;
}

export interface Filter {
  name: string;
  label: string;
  options: string[];
}

/**
 * A content collection as a table: full-text search (`q`), a tag and the collection's own
 * filters, and cursor paging ("Load more" follows `nextCursor`).
 */
export function CollectionList<T extends { id: string }>({
  collection,
  columns,
  filters = [],
  rowHref,
}: {
  collection: string;
  columns: Column<T>[];
  filters?: Filter[];
  rowHref: (item: T) => string;
}) {
  const { api } = useSession();
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState('');
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const query = { q: search, tag, ...chosen, limit: 20 };
  const list = useInfiniteQuery({
    queryKey: [collection, 'list', query],
    queryFn: ({ pageParam }) => api.get<ListOf<T>>(collection, { ...query, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <section class="collection">
      <form class="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <input
          type="search"
          aria-label={`Search ${collection}`}
          placeholder="Search…"
          value={search}
          onInput={(event) => setSearch(event.currentTarget.value)}
        />
        <input aria-label="Tag" placeholder="Tag" value={tag} onInput={(event) => setTag(event.currentTarget.value)} />
        {filters.map((filter) => (
          <select
            key={filter.name}
            aria-label={filter.label}
            value={chosen[filter.name] ?? ''}
            onChange={(event) => setChosen({ ...chosen, [filter.name]: event.currentTarget.value })}
          >
            <option value="">{filter.label}: any</option>
            {filter.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        ))}
      </form>
      <ProblemView error={list.error} />
      <table class="list">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header}>{column.header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              {columns.map((column, index) => (
                <td key={column.header}>{index === 0 ? <a href={rowHref(item)}>{column.cell(item)}</a> : column.cell(item)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {list.isPending ? <p class="muted">Loading…</p> : items.length === 0 ? <p class="muted">Nothing here yet.</p> : null}
      {list.hasNextPage ? (
        <button type="button" class="secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}

import { decodeCursor, encodeCursor, ProblemException } from '@strata/core';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { typoTolerantCondition } from './typo-tolerance';

/** A column a list can be sorted by, as the API names it. */
export interface SortableColumn<E> {
  /** Database column (snake_case), used in ORDER BY and in the keyset comparison. */
  column: string;
  cast: 'timestamptz' | 'text' | 'integer' | 'bigint';
  /** The value of this column for a row, as it goes into a cursor. */
  read: (entity: E) => string | number;
}

export interface ListWindow {
  limit: number;
  cursor?: string;
  sort?: string;
  q?: string;
}

export interface ListPage<E> {
  items: E[];
  nextCursor: string | null;
}

export const RELEVANCE_SORT = 'relevance';
const TEXT_SEARCH_CONFIG = 'english';

/**
 * Keyset ("seek") pagination over a query builder, with optional text search:
 * `q` matches the full-text `search` column, or fuzzily (pg_trgm word similarity) the
 * `fuzzyColumn`, or word by word with a typo each (typo-tolerance.ts); results are then sorted
 * by relevance unless another sort is asked for.
 * Every order ends with `id`, so pages never skip or repeat rows.
 */
export async function keysetList<E extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<E>,
  options: { sorts: Record<string, SortableColumn<E>>; fuzzyColumn: string; defaultSort: string },
  window: ListWindow,
): Promise<ListPage<E>> {
  const alias = query.alias;
  const sort = window.sort ?? (window.q ? RELEVANCE_SORT : options.defaultSort);
  const cursor = window.cursor ? decodeCursor(window.cursor, sort) : undefined;

  if (window.q) {
    const typoTolerant = typoTolerantCondition(`${alias}.search`, window.q);
    query.andWhere(
      `(${alias}.search @@ websearch_to_tsquery('${TEXT_SEARCH_CONFIG}', :q) OR :q <% ${alias}.${options.fuzzyColumn}${typoTolerant ? ` OR ${typoTolerant.sql}` : ''})`,
      { q: window.q, ...typoTolerant?.parameters },
    );
  }

  if (sort === RELEVANCE_SORT) {
    if (!window.q) throw ProblemException.badRequest('Sorting by relevance needs a search query.', { sort: ['relevance requires q'] });
    const rank = `(ts_rank(${alias}.search, websearch_to_tsquery('${TEXT_SEARCH_CONFIG}', :q)) + word_similarity(:q, ${alias}.${options.fuzzyColumn}))::real`;
    query.addSelect(rank, 'sort_rank');
    if (cursor)
      query.andWhere(`(${rank}, ${alias}.id) < (CAST(:cursorValue AS real), CAST(:cursorId AS uuid))`, { cursorValue: cursor.value, cursorId: cursor.id });
    query
      .orderBy('sort_rank', 'DESC')
      .addOrderBy(`${alias}.id`, 'DESC')
      .limit(window.limit + 1);
    const { entities, raw } = await query.getRawAndEntities<{ sort_rank: number }>();
    return toPage(entities, window.limit, (entity, index) => ({ sort, value: Number(raw[index].sort_rank), id: entity.id }));
  }

  const descending = sort.startsWith('-');
  const column = options.sorts[descending ? sort.slice(1) : sort];
  if (!column) {
    const allowed = [...Object.keys(options.sorts).flatMap((key) => [key, `-${key}`]), RELEVANCE_SORT];
    throw ProblemException.badRequest('Unknown sort order.', { sort: [`sort must be one of: ${allowed.join(', ')}`] });
  }
  const direction = descending ? 'DESC' : 'ASC';
  if (cursor) {
    query.andWhere(`(${alias}.${column.column}, ${alias}.id) ${descending ? '<' : '>'} (CAST(:cursorValue AS ${column.cast}), CAST(:cursorId AS uuid))`, {
      cursorValue: cursor.value,
      cursorId: cursor.id,
    });
  }
  query
    .orderBy(`${alias}.${column.column}`, direction)
    .addOrderBy(`${alias}.id`, direction)
    .limit(window.limit + 1);
  const entities = await query.getMany();
  return toPage(entities, window.limit, (entity) => ({ sort, value: column.read(entity), id: entity.id }));
}

function toPage<E>(rows: E[], limit: number, cursorOf: (row: E, index: number) => Parameters<typeof encodeCursor>[0]): ListPage<E> {
  const items = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { items, nextCursor: hasMore ? encodeCursor(cursorOf(items[items.length - 1], items.length - 1)) : null };
}

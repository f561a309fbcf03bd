import { unwrap, type CallResult } from './results.js';

/** One page of a Strata list: the items and the cursor of the next page (null on the last). */
export interface CursorPage<T> {
  data: T[];
  nextCursor?: string | null;
}

/**
 * Every item of a cursor-paginated list, fetching pages as the loop reaches them. `fetchPage`
 * makes the call for one cursor (undefined for the first page); item types come from it.
 *
 *   for await (const page of paginate((cursor) => strata.GET('/api/v1/pages', { params: { query: { status: 'published', cursor } } }))) {
 *     console.log(page.title);
 *   }
 *
 * A failed page throws its StrataProblem from the loop. Stop early with `break`.
 */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<CallResult<CursorPage<T>>>): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await unwrap(fetchPage(cursor));
    yield* page.data;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

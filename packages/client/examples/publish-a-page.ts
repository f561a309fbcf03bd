/**
 * A consumer of Strata written only against the generated types: create a draft, publish it
 * without overwriting someone else's edit, list what is published, and follow live events.
 * It type-checks under `strict` in CI (packages/client/tsconfig.json) and runs against a live
 * Strata in test/client.e2e-spec.ts.
 *
 *   STRATA_URL=http://localhost:3000 STRATA_API_KEY=sk_… node --experimental-strip-types publish-a-page.ts
 */
import { createStrataClient, paginate, PreconditionFailedError, unwrap, withETag, type paths } from '@strata/client';

/** A page as the API answers it: the 200 of GET /api/v1/pages/{id}. */
type Page = paths['/api/v1/pages/{id}']['get']['responses'][200]['content']['application/json'];

export async function publishAPage(
  baseUrl: string,
  apiKey: string,
  slug: string,
): Promise<{ published: Page; publishedSlugs: string[]; conflictStatus: number }> {
  const strata = createStrataClient({ baseUrl, apiKey });

  // Create: only title and slug are required; the draft status is the server's default.
  const draft = await unwrap(strata.POST('/api/v1/pages', { body: { title: 'Hello, Strata', slug, body: 'First words.' } }));

  // Publish only if nobody changed it since we read it: If-Match with the ETag we read.
  const { etag } = await withETag(strata.GET('/api/v1/pages/{id}', { params: { path: { id: draft.id } } }));
  const published = await unwrap(
    strata.PATCH('/api/v1/pages/{id}', { params: { path: { id: draft.id } }, headers: { 'If-Match': etag }, body: { status: 'published' } }),
  );

  // The same ETag again is stale now: the server refuses with 412 and changes nothing.
  let conflictStatus = 0;
  try {
    await unwrap(strata.PATCH('/api/v1/pages/{id}', { params: { path: { id: draft.id } }, headers: { 'If-Match': etag }, body: { title: 'Overwritten?' } }));
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    conflictStatus = error.status;
  }

  // Every published page, fetched page by page as the loop goes.
  const publishedSlugs: string[] = [];
  for await (const page of paginate((cursor) => strata.GET('/api/v1/pages', { params: { query: { status: 'published', limit: 50, cursor } } }))) {
    publishedSlugs.push(page.slug);
  }
  return { published, publishedSlugs, conflictStatus };
}

/** Prints page events as they happen until `signal` aborts; reconnects by itself, missing nothing. */
export async function followPageEvents(baseUrl: string, apiKey: string, signal: AbortSignal): Promise<void> {
  const strata = createStrataClient({ baseUrl, apiKey });
  for await (const event of strata.events({ types: ['page.*'], signal })) {
    console.log(event.type, event.id, event.timestamp);
  }
}

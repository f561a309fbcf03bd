import type { AddressInfo } from 'node:net';
import { publishAPage } from '../packages/client/examples/publish-a-page';
import {
  createStrataClient,
  multipart,
  paginate,
  PreconditionFailedError,
  RateLimitedError,
  StrataClient,
  StrataEvent,
  StrataProblem,
  unwrap,
  Webhook,
  WebhookVerificationError,
  withETag,
} from '@strata/client';
import { createOpenApiDocumentOffline } from '../apps/api/openapi-offline';
import { createKey } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

/**
 * The typed client (packages/client) against a live Strata over HTTP: the calls, the helpers
 * users rely on (pages of a list, If-Match, problems as exceptions, retries, the event stream)
 * and what the server really answers to them.
 */
describe('@strata/client against a live Strata', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let baseUrl: string;
  let client: StrataClient;

  beforeAll(async () => {
    environment = await createTestEnvironment({
      OUTBOX_POLL_INTERVAL_MS: '100',
      EVENTS_HEARTBEAT_MS: '1000',
      EVENTS_MAX_SUBSCRIBERS: '1',
      // The webhook receiver of the verification test listens on loopback.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    });
    strata = await environment.start();
    await strata.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(strata.app.getHttpServer().address() as AddressInfo).port}`;
    client = createStrataClient({ baseUrl, apiKey: environment.env.ADMIN_API_KEY });
  });
  afterAll(() => environment?.teardown());

  it('is generated from the document /docs-json serves (built offline, without PostgreSQL or Redis)', async () => {
    const served = (await strata.api().get('/docs-json').expect(200)).body as object;
    expect(await createOpenApiDocumentOffline()).toEqual(served);
  });

  it('creates, reads and lists with typed calls', async () => {
    const page = await unwrap(client.POST('/api/v1/pages', { body: { title: 'Typed', slug: 'typed' } }));
    expect(page).toMatchObject({ title: 'Typed', slug: 'typed', id: expect.any(String) });

    const read = await unwrap(client.GET('/api/v1/pages/{id}', { params: { path: { id: page.id } } }));
    expect(read.id).toBe(page.id);

    const list = await unwrap(client.GET('/api/v1/pages', { params: { query: { slug: 'typed' } } }));
    expect(list.data.map((item) => item.id)).toEqual([page.id]);
  });

  it('uploads a file as multipart with the typed body, and downloads the same bytes', async () => {
    const bytes = new TextEncoder().encode('%PDF-1.4 typed client upload');
    const file = new File([bytes], 'notes.pdf', { type: 'application/pdf' });

    const media = await unwrap(client.POST('/api/v1/media', { body: { file, altText: 'Notes', tags: ['docs', 'typed'] }, bodySerializer: multipart }));

    expect(media).toMatchObject({ filename: 'notes.pdf', mimeType: 'application/pdf', altText: 'Notes', tags: ['docs', 'typed'], sizeBytes: bytes.length });
    const download = await client.GET('/api/v1/media/{id}/file', { params: { path: { id: media.id } }, parseAs: 'arrayBuffer' });
    expect(new Uint8Array(download.data!)).toEqual(bytes);
  });

  it('runs the consumer example (examples/publish-a-page.ts)', async () => {
    const result = await publishAPage(baseUrl, environment.env.ADMIN_API_KEY, 'example-page');
    expect(result.published.status).toBe('published');
    expect(result.publishedSlugs).toContain('example-page');
    expect(result.conflictStatus).toBe(412);
  });

  it('walks every page of a cursor-paginated list', async () => {
    const slugs = ['walk-1', 'walk-2', 'walk-3', 'walk-4', 'walk-5'];
    for (const slug of slugs) await unwrap(client.POST('/api/v1/pages', { body: { title: slug, slug, tags: ['walk'] } }));
    const requested: Array<string | undefined> = [];

    const seen: string[] = [];
    for await (const page of paginate((cursor) => {
      requested.push(cursor);
      return client.GET('/api/v1/pages', { params: { query: { tag: 'walk', sort: 'title', limit: 2, cursor } } });
    })) {
      seen.push(page.slug);
    }

    expect(seen).toEqual(slugs);
    // Three pages of at most two: the first without a cursor, then the two cursors the server gave.
    expect(requested).toHaveLength(3);
    expect(requested[0]).toBeUndefined();
  });

  it('writes conditionally with the ETag it read, and throws PreconditionFailedError (412) on a stale one', async () => {
    const page = await unwrap(client.POST('/api/v1/pages', { body: { title: 'Versioned', slug: 'versioned' } }));
    const { etag } = await withETag(client.GET('/api/v1/pages/{id}', { params: { path: { id: page.id } } }));
    expect(etag).toMatch(/^"/);

    const updated = await withETag(
      client.PATCH('/api/v1/pages/{id}', { params: { path: { id: page.id } }, headers: { 'If-Match': etag }, body: { title: 'First' } }),
    );
    expect(updated.data.title).toBe('First');
    expect(updated.etag).not.toBe(etag);

    const stale = await client
      .PATCH('/api/v1/pages/{id}', { params: { path: { id: page.id } }, headers: { 'If-Match': etag }, body: { title: 'Second' } })
      .then(unwrap)
      .catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(PreconditionFailedError);
    expect(stale).toMatchObject({ status: 412, type: expect.stringMatching(/precondition/), requestId: expect.any(String) });
    const current = await unwrap(client.GET('/api/v1/pages/{id}', { params: { path: { id: page.id } } }));
    expect(current.title).toBe('First');
  });

  it('throws problem+json answers as StrataProblem, with the field errors and the request id', async () => {
    const invalid = await unwrap(client.POST('/api/v1/pages', { body: { title: '', slug: 'Not A Slug' } })).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(StrataProblem);
    const problem = invalid as StrataProblem;
    expect(problem).toMatchObject({ status: 400, title: expect.any(String), type: expect.stringMatching(/^https?:/) });
    expect(Object.keys(problem.errors ?? {})).toEqual(expect.arrayContaining(['title', 'slug']));
    expect(problem.requestId).toBe(problem.response?.headers.get('x-request-id'));

    const anonymous = createStrataClient({ baseUrl });
    const refused = await unwrap(anonymous.GET('/api/v1/pages')).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401 });
  });

  it('hands a 429 whose Retry-After is longer than it accepts to the caller as RateLimitedError', async () => {
    const { key } = await createKey(strata, { tier: 'premium', rateLimit: { perMinute: 1, perDay: 100 } });
    const statuses: number[] = [];
    const limited = createStrataClient({
      baseUrl,
      apiKey: key,
      retry: { retries: 3, maxDelayMs: 500 },
      fetch: async (request) => {
        const response = await fetch(request);
        statuses.push(response.status);
        return response;
      },
    });
    await unwrap(limited.GET('/api/v1/pages'));
    const error = await unwrap(limited.GET('/api/v1/pages')).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0.5);
    // Not retried: waiting up to a minute is the caller's decision, not the client's.
    expect(statuses).toEqual([200, 429]);
  });

  it('does not retry a 429 without Retry-After (a key with no uses left)', async () => {
    const { key } = await createKey(strata, { remaining: 1 });
    const statuses: number[] = [];
    const limited = createStrataClient({
      baseUrl,
      apiKey: key,
      fetch: async (request) => {
        const response = await fetch(request);
        statuses.push(response.status);
        return response;
      },
    });
    await unwrap(limited.GET('/api/v1/pages'));
    const error = await unwrap(limited.GET('/api/v1/pages')).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ status: 429, type: expect.stringMatching(/usage-exceeded$/) });
    expect((error as RateLimitedError).retryAfterSeconds).toBeUndefined();
    expect(statuses).toEqual([200, 429]);
  });

  it('streams live events, waits out a 503 as its Retry-After asks, and resumes with Last-Event-ID', async () => {
    // EVENTS_MAX_SUBSCRIBERS=1: while this stream is open, the instance is full.
    const first = new AbortController();
    const firstEvents: StrataEvent[] = [];
    const firstDone = (async () => {
      for await (const event of client.events({ types: ['page.*'], signal: first.signal })) firstEvents.push(event);
    })();
    await eventually(async () => {
      await unwrap(client.POST('/api/v1/pages', { body: { title: 'probe', slug: `probe-${Date.now()}` } }));
      return firstEvents.length > 0;
    }, 'the first stream receiving events');

    const statuses: number[] = [];
    const second = createStrataClient({
      baseUrl,
      apiKey: environment.env.ADMIN_API_KEY,
      fetch: async (request) => {
        const response = await fetch(request);
        if (new URL(request.url).pathname === '/api/v1/events') statuses.push(response.status);
        return response;
      },
    });
    const secondController = new AbortController();
    const secondEvents: StrataEvent[] = [];
    const secondDone = (async () => {
      for await (const event of second.events({ types: ['page.created'], signal: secondController.signal })) secondEvents.push(event);
    })();
    await eventually(() => statuses.includes(503), 'the second stream refused while the instance is full');
    first.abort();
    await firstDone;
    await eventually(() => statuses.includes(200), 'the second stream admitted after Retry-After', 15000);
    expect(statuses).toEqual([503, 200]);

    const page = await unwrap(client.POST('/api/v1/pages', { body: { title: 'Live', slug: 'live-typed' } }));
    await eventually(() => secondEvents.find((event) => (event.data as { id?: string }).id === page.id), 'the page.created event');
    const last = secondEvents.at(-1)!;
    expect(last).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'page.created', timestamp: expect.any(String) });
    secondController.abort();
    await secondDone;

    // Written while nobody listens, then read by resuming after the last event seen.
    const missed = await unwrap(client.POST('/api/v1/pages', { body: { title: 'Missed', slug: 'missed-typed' } }));
    const resumed = new AbortController();
    const replayed: StrataEvent[] = [];
    for await (const event of client.events({ types: ['page.created'], lastEventId: last.id, signal: resumed.signal })) {
      replayed.push(event);
      if ((event.data as { id?: string }).id === missed.id) resumed.abort();
    }
    expect(replayed.map((event) => (event.data as { id?: string }).id)).toEqual([missed.id]);
  });

  it('reconnects a dropped stream with Last-Event-ID and sees every event once', async () => {
    const lastEventIds: Array<string | null> = [];
    let drop = () => {};
    const dropped = new Promise<void>((resolve) => (drop = resolve));
    const dropping = createStrataClient({
      baseUrl,
      apiKey: environment.env.ADMIN_API_KEY,
      fetch: async (request) => {
        const response = await fetch(request);
        // Streams opened (a 503 while the previous test's stream is still being let go is retried by the client).
        if (new URL(request.url).pathname !== '/api/v1/events' || response.status !== 200) return response;
        lastEventIds.push(request.headers.get('last-event-id'));
        // The first connection breaks, as a network would, when the test says so.
        return lastEventIds.length === 1 ? new Response(breakWhen(dropped, response.body!), response) : response;
      },
    });
    const controller = new AbortController();
    const seen: StrataEvent[] = [];
    const done = (async () => {
      for await (const event of dropping.events({ types: ['page.created'], signal: controller.signal, reconnectDelayMs: 200 })) seen.push(event);
    })();
    await eventually(() => lastEventIds.length === 1, 'the stream open');

    const first = await unwrap(client.POST('/api/v1/pages', { body: { title: 'Before the drop', slug: 'before-drop' } }));
    await eventually(() => seen.length === 1, 'the event before the drop');
    drop();
    // Written while the stream is down (or just back): either way it must arrive, and once.
    const second = await unwrap(client.POST('/api/v1/pages', { body: { title: 'After the drop', slug: 'after-drop' } }));
    await eventually(() => seen.some((event) => (event.data as { id?: string }).id === second.id), 'the event written around the reconnection');
    controller.abort();
    await done;

    expect(seen.map((event) => (event.data as { id?: string }).id)).toEqual([first.id, second.id]);
    expect(lastEventIds).toEqual([null, seen[0].id]);
  });

  it('verifies a signed webhook delivery with the re-exported standardwebhooks', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const endpoint = await unwrap(client.POST('/api/v1/webhooks', { body: { url: receiver.url, events: ['page.*'] } }));
      expect(endpoint.secret).toMatch(/^whsec_/);
      await unwrap(client.POST('/api/v1/webhooks/{id}/test', { params: { path: { id: endpoint.id } } }));
      const delivery = await eventually(() => receiver.ofType('webhook.ping')[0], 'the ping delivery');
      const headers = delivery.headers as Record<string, string>;

      const verified = new Webhook(endpoint.secret).verify(delivery.body, headers) as { id: string; type: string };
      expect(verified).toMatchObject({ id: headers['webhook-id'], type: 'webhook.ping' });
      expect(() => new Webhook(endpoint.secret).verify(delivery.body.replace('ping', 'pong'), headers)).toThrow(WebhookVerificationError);
    } finally {
      await receiver.stop();
    }
  });
});

/** The stream's bytes until `broken` resolves, then the error a dropped connection gives. */
function breakWhen(broken: Promise<void>, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(controller) {
      const next = await Promise.race([reader.read(), broken.then(() => 'broken' as const)]);
      if (next === 'broken') {
        await reader.cancel();
        controller.error(new TypeError('terminated'));
      } else if (next.done) {
        controller.close();
      } else {
        controller.enqueue(next.value);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

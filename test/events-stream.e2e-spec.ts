import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { RedisConnections } from '@strata/core';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { SseClient } from './support/sse-client';
import { eventually } from './support/webhook-receiver';

/**
 * GET /api/v1/events across two instances: an API-only instance serves the stream, a second
 * instance (all roles: it runs the relay) takes the writes.
 */
describe('live events (SSE)', () => {
  let environment: TestEnvironment;
  let writer: TestApp;
  let streamer: TestApp;
  let streamUrl: string;
  let auth: Record<string, string>;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    environment = await createTestEnvironment({ OUTBOX_POLL_INTERVAL_MS: '100', EVENTS_HEARTBEAT_MS: '1000' });
    writer = await environment.start();
    streamer = await environment.start({ PROCESS_ROLE: 'api' });
    await streamer.app.listen(0, '127.0.0.1');
    streamUrl = `http://127.0.0.1:${(streamer.app.getHttpServer().address() as AddressInfo).port}/api/v1/events`;
    auth = environment.env.ADMIN_API_KEY ? { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` } : {};
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await environment?.teardown();
  });

  const connect = async (query = '', headers: Record<string, string> = {}) => {
    const client = await SseClient.connect(streamUrl + query, { ...auth, ...headers });
    clients.push(client);
    return client;
  };

  it('streams events written on another instance, filtered by type, with id lines', async () => {
    const everything = await connect();
    const pagesOnly = await connect('?types=page.*');
    expect(everything.response?.headers['content-type']).toContain('text/event-stream');

    const page = (await writer.api().post('/api/v1/pages').send({ slug: 'live', title: 'Live' }).expect(201)).body;
    await writer.api().post('/api/v1/modules').send({ kind: 'hero', title: 'Live block' }).expect(201);

    await eventually(() => everything.messages.length >= 2, 'two events on the unfiltered stream');
    await eventually(() => pagesOnly.messages.length >= 1, 'the page event on the filtered stream');
    expect(everything.messages.map((message) => message.event)).toEqual(['page.created', 'module.created']);
    const [created] = everything.messages;
    expect(created.id).toMatch(/^evt_/);
    expect(created.data).toMatchObject({ id: created.id, type: 'page.created', data: { id: page.id } });
    // The module event came after the page event on the same relay; the filtered stream never gets it.
    await eventually(() => everything.messages.length === 2, 'no more events');
    expect(pagesOnly.messages.map((message) => message.event)).toEqual(['page.created']);
  });

  it('resumes after Last-Event-ID from the recent window', async () => {
    const watcher = await connect();
    for (const slug of ['resume-1', 'resume-2', 'resume-3']) await writer.api().post('/api/v1/pages').send({ slug, title: slug }).expect(201);
    await eventually(() => watcher.messages.length === 3, 'three live events');

    const resumed = await connect('', { 'last-event-id': watcher.messages[0].id! });
    await eventually(() => resumed.messages.length === 2, 'the two events after the first');
    expect(resumed.messages.map((message) => message.id)).toEqual(watcher.messages.slice(1).map((message) => message.id));
  });

  it('sends heartbeats while idle', async () => {
    const idle = await connect('?types=media.deleted');
    await eventually(() => idle.comments >= 2, 'a heartbeat after the connect comment', 10000);
  });

  it('refuses unknown types with a problem', async () => {
    const response = await streamer.api().get('/api/v1/events?types=page.published').expect(400);
    expect(response.body.errors.types).toBeDefined();
  });

  it('appends and publishes again, once its Redis connection is back, an event the window lost just before', async () => {
    const redis = new Redis(environment.env.REDIS_URL, { keyPrefix: environment.env.REDIS_KEY_PREFIX });
    /** The window's entries for one page: [entry id, event id]. */
    const entriesOf = async (pageId: string) =>
      (await redis.xrange('events:recent', '-', '+'))
        .filter(([, fields]) => (JSON.parse(fields[3]) as { data: { id: string } }).data.id === pageId)
        .map(([entryId, fields]) => [entryId, fields[1]]);
    try {
      const kept = (await writer.api().post('/api/v1/pages').send({ slug: 'kept', title: 'Kept' }).expect(201)).body;
      const lost = (await writer.api().post('/api/v1/pages').send({ slug: 'lost', title: 'Lost' }).expect(201)).body;
      let lostEntry: string[] = [];
      await eventually(
        async () => ([lostEntry] = await entriesOf(lost.id)).length > 0 && (await entriesOf(kept.id)).length > 0,
        'both events in the window',
        5000,
      );
      // What a master killed before replicating leaves on its promoted replica: the last event gone...
      await redis.xdel('events:recent', lostEntry[0]);
      // ...and the relay's connection lost and back (on the new master, in production).
      writer.app.get(RedisConnections).client.disconnect(true);

      await eventually(async () => (await entriesOf(lost.id)).length === 1, 'the lost event back in the window', 5000);
      expect(await entriesOf(kept.id)).toHaveLength(1); // not a second copy of what the window kept
      // A client resuming from the kept event is sent the restored one.
      const [[, keptEventId]] = await entriesOf(kept.id);
      const resumed = await connect('?types=page.*', { 'last-event-id': keptEventId });
      await eventually(() => resumed.messages.some((message) => message.data?.data?.id === lost.id), 'the restored event after Last-Event-ID');
    } finally {
      redis.disconnect();
    }
  });
});

import type { AddressInfo } from 'node:net';
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
});

import Redis from 'ioredis';
import { Client } from 'pg';
import { CacheService } from '../libs/cache/src/cache.service';
import { contentItemKey } from '../libs/content/src/shared/content-cache';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually } from './support/webhook-receiver';

/**
 * The L1 invalidation bus over Redis pub/sub delivers at most once. Here a committed write's
 * message is "lost" (the row and L2 change without a bus message, as when a publish never got
 * through), and another instance keeps serving its L1 copy; then a message with a skipped
 * sequence number arrives on the bus channel, and that instance drops its L1 and reads the
 * committed version.
 */
describe('cache invalidation bus: gaps', () => {
  let environment: TestEnvironment;
  let writer: TestApp;
  let reader: TestApp;
  let redis: Redis;
  let database: Client;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    writer = await environment.start();
    reader = await environment.start({ PROCESS_ROLE: 'api' });
    redis = new Redis(environment.env.REDIS_URL);
    database = new Client({ connectionString: environment.env.DATABASE_URL });
    await database.connect();
  });
  afterAll(async () => {
    redis?.disconnect();
    await database?.end();
    await environment?.teardown();
  });

  const channel = () => reader.app.get(CacheService).bus.channelName;
  const publishAsPeer = (message: object) => redis.publish(channel(), JSON.stringify({ origin: 'peer-under-test', since: 1, ...message }));
  const titleOnReader = async (id: string) => (await reader.api().get(`/api/v1/pages/${id}`).expect(200)).body.title;

  /** A write whose bus message never arrived: the row and L2 change, the reader's L1 does not. */
  async function writeWithoutBusMessage(id: string, title: string): Promise<void> {
    await database.query(`UPDATE pages SET title = $2, version = version + 1 WHERE id = $1`, [id, title]);
    await writer.app.get(CacheService).l2.delete([contentItemKey('page', id)]);
  }

  it('drops L1 when a message number is skipped, and not before', async () => {
    const page = (await writer.api().post('/api/v1/pages').send({ slug: 'bus-gap', title: 'before' }).expect(201)).body;
    const readerCache = reader.app.get(CacheService);
    expect(await titleOnReader(page.id)).toBe('before');
    await eventually(() => readerCache.l1.get(contentItemKey('page', page.id)), "the page in the reader's L1");

    await writeWithoutBusMessage(page.id, 'after');
    // The hazard: without a message the reader keeps its copy.
    expect(await titleOnReader(page.id)).toBe('before');

    // A peer's messages in sequence change nothing for this page.
    const gapsBefore = readerCache.bus.gapsDetected;
    await publishAsPeer({ seq: 1, keys: ['content:unrelated'] });
    await publishAsPeer({ seq: 2, keys: ['content:unrelated'] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(readerCache.bus.gapsDetected).toBe(gapsBefore);
    expect(await titleOnReader(page.id)).toBe('before');

    // Message 3 never arrives: 4 reveals the gap, and the reader reads the committed version.
    await publishAsPeer({ seq: 4, keys: ['content:unrelated'] });
    await eventually(() => readerCache.bus.gapsDetected > gapsBefore, 'the gap to be noticed');
    expect(readerCache.l1.get(contentItemKey('page', page.id))).toBeUndefined();
    expect(await titleOnReader(page.id)).toBe('after');
  });

  it('notices a lost last message from the next heartbeat', async () => {
    const page = (await writer.api().post('/api/v1/pages').send({ slug: 'bus-heartbeat', title: 'one' }).expect(201)).body;
    const readerCache = reader.app.get(CacheService);
    await publishAsPeer({ seq: 10, keys: ['content:unrelated'] });
    expect(await titleOnReader(page.id)).toBe('one');
    await eventually(() => readerCache.l1.get(contentItemKey('page', page.id)), "the page in the reader's L1");
    await writeWithoutBusMessage(page.id, 'two');

    const gapsBefore = readerCache.bus.gapsDetected;
    // The heartbeat says message 11 was sent; it never came.
    await publishAsPeer({ seq: 11, heartbeat: true });
    await eventually(() => readerCache.bus.gapsDetected > gapsBefore, 'the gap to be noticed');
    expect(await titleOnReader(page.id)).toBe('two');
  });

  it('numbers its own messages and heartbeats', async () => {
    const listener = new Redis(environment.env.REDIS_URL);
    const seen: Array<{ seq: number; heartbeat?: boolean; origin: string }> = [];
    listener.on('message', (_channel: string, text: string) => seen.push(JSON.parse(text)));
    await listener.subscribe(channel());
    await writer.api().post('/api/v1/pages').send({ slug: 'bus-numbered', title: 'x' }).expect(201);
    await eventually(() => seen.some((message) => message.heartbeat) && seen.some((message) => !message.heartbeat), 'a message and a heartbeat', 5000);
    listener.disconnect();
    const fromOne = seen.filter((message) => message.origin === seen.find((m) => !m.heartbeat)!.origin && !message.heartbeat).map((message) => message.seq);
    expect(fromOne.length).toBeGreaterThan(0);
    expect(fromOne).toEqual(fromOne.map((_, index) => fromOne[0] + index));
  });
});

import http, { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventFanOut } from '../libs/events/src/event-fanout';
import { EventStream } from '../libs/events/src/event-stream';
import { SseClient } from './support/sse-client';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually } from './support/webhook-receiver';

const BUFFER_LIMIT = 1024 * 1024;
/**
 * Events are published until the server has disconnected the stalled subscriber, then a few more
 * (the healthy one must get those too). How many that takes depends on how much the kernel's
 * socket buffers take first (here tcp_rmem allows up to 32 MB), so it is not fixed: a fixed 400
 * (12.8 MB) sometimes all fitted in the kernel, the server never saw backpressure and the test hung.
 */
const MAX_EVENTS = 3000;
const EVENTS_AFTER_DISCONNECT = 20;
/** Large events fill the kernel's socket buffers quickly, so the server's own buffer is what is tested. */
const PAYLOAD = 'x'.repeat(32 * 1024);
/** What a subscriber may hold past its limit: the socket's high-water mark and the frame that crossed it. */
const ALLOWED_OVER_LIMIT = 16 * 1024 + PAYLOAD.length + 1024;

/**
 * A subscriber that stops reading: the server keeps at most its buffer limit for it, then
 * disconnects it with a comment naming why and where to resume, while a healthy subscriber on
 * the same instance receives every event; the slow one then resumes with Last-Event-ID.
 */
describe('live events backpressure (SSE)', () => {
  let environment: TestEnvironment;
  let app: TestApp;
  let url: string;
  let auth: Record<string, string>;
  const cleanup: Array<() => void> = [];

  beforeAll(async () => {
    environment = await createTestEnvironment({
      PROCESS_ROLE: 'api',
      EVENTS_SUBSCRIBER_BUFFER_BYTES: String(BUFFER_LIMIT),
      EVENTS_SUBSCRIBER_BUFFER_EVENTS: '1000',
      EVENTS_REPLAY_WINDOW: String(MAX_EVENTS),
    });
    app = await environment.start();
    await app.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}/api/v1/events`;
    auth = { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` };
  });
  afterAll(async () => {
    for (const close of cleanup) close();
    await environment?.teardown();
  });

  it('bounds what a stalled subscriber holds, disconnects it with the reason, and keeps the others going', async () => {
    const fanOut = app.app.get(EventFanOut);
    const healthy = await SseClient.connect(`${url}?types=page.*`, auth);
    cleanup.push(() => healthy.close());
    const stalled = await StalledClient.connect(`${url}?types=page.updated`, auth);
    cleanup.push(() => stalled.destroy());
    const stalledSession = await eventually(() => fanOut.all().find((subscriber) => subscriber.filterKey === 'page.updated'), 'the stalled session');

    let maxBuffered = 0;
    const watch = setInterval(() => (maxBuffered = Math.max(maxBuffered, stalledSession.bufferedBytes)), 2);
    cleanup.push(() => clearInterval(watch));
    // Once disconnected, the client reads again (as a client that was only busy would): what was in
    // flight, then the comment saying why and where to resume. A client that never does is cut off.
    const ids = await publishEvents(app.app.get(EventStream), () => stalledSession.isClosed);
    expect(stalledSession.isClosed).toBe(true);
    const afterDisconnect = stalled.readToEnd();

    // A healthy stream the server cut off (too slow itself) would never complete: fail, do not wait.
    await eventually(
      () => {
        if (healthy.messages.length < ids.length && healthy.response?.complete)
          throw new Error(`the healthy stream ended after ${healthy.messages.length} events`);
        return healthy.messages.length === ids.length;
      },
      `all ${ids.length} events on the healthy stream`,
      60000,
    );
    expect(healthy.messages.map((message) => message.id)).toEqual(ids);
    const { events: received, comments } = await afterDisconnect;
    clearInterval(watch);
    expect(stalledSession.disconnectedAsSlow).toBe(true);
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(BUFFER_LIMIT + ALLOWED_OVER_LIMIT);
    expect(fanOut.all()).not.toContain(stalledSession);

    const farewell = comments.at(-1) ?? '';
    expect(farewell).toMatch(/^: disconnected: too slow/);
    const resumeFrom = /Last-Event-ID: (\S+)/.exec(farewell)?.[1];
    expect(resumeFrom).toBe(received.at(-1));
    expect(received.length).toBeLessThan(ids.length);

    const resumed = await SseClient.connect(`${url}?types=page.updated`, { ...auth, 'last-event-id': resumeFrom! });
    cleanup.push(() => resumed.close());
    await eventually(() => received.length + resumed.messages.length === ids.length, 'the rest of the events after resuming', 60000);
    expect([...received, ...resumed.messages.map((message) => message.id)]).toEqual(ids);
  });
});

/**
 * Publishes through the product's own path (the recent window for resume, then pub/sub), a few
 * at a time, until `done` (and EVENTS_AFTER_DISCONNECT more), at most MAX_EVENTS.
 */
async function publishEvents(stream: EventStream, done: () => boolean): Promise<string[]> {
  const ids: string[] = [];
  let remaining = MAX_EVENTS;
  while (ids.length < remaining) {
    if (done()) remaining = Math.min(remaining, ids.length + EVENTS_AFTER_DISCONNECT);
    const events = Array.from({ length: Math.min(4, remaining - ids.length) }, () => {
      const id = `evt_backpressure${String(ids.length).padStart(6, '0')}`;
      ids.push(id);
      return { id, type: 'page.updated', timestamp: new Date().toISOString(), data: { payload: PAYLOAD } };
    });
    // With this process busy writing to subscribers, Redis's reply may come after the 250 ms
    // command timeout although Redis took the pipeline: the events are out all the same.
    await stream.publish(events).catch((error: Error) => {
      if (!/Command timed out/.test(error.message)) throw error;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return ids;
}

/** A raw HTTP client that reads the first bytes, then stops reading its socket until told to go on. */
class StalledClient {
  private constructor(private readonly response: IncomingMessage) {}

  static connect(url: string, headers: Record<string, string>): Promise<StalledClient> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        response.once('data', (first: Buffer) => {
          response.pause();
          response.unshift(first);
          resolve(new StalledClient(response));
        });
      });
      request.on('error', reject);
    });
  }

  /** Every event id and comment until the server ends the stream. */
  readToEnd(): Promise<{ events: string[]; comments: string[] }> {
    return new Promise((resolve, reject) => {
      let text = '';
      this.response.setEncoding('utf8');
      this.response.on('data', (chunk: string) => (text += chunk));
      this.response.on('error', reject);
      this.response.on('close', () => {
        const blocks = text.split('\n\n').filter(Boolean);
        resolve({
          events: blocks.flatMap((block) => /^id: (\S+)$/m.exec(block)?.[1] ?? []),
          comments: blocks.filter((block) => block.startsWith(':')),
        });
      });
      this.response.resume();
    });
  }

  destroy(): void {
    this.response.destroy();
  }
}

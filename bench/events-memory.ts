/**
 * Does anything hold on to what live-event subscribers used once they leave? One Strata (API
 * role, in this process, real PostgreSQL and Redis as in the e2e tests) takes 2 000 SSE
 * subscribers and 20 events, they leave, and the heap is measured after forced garbage
 * collections; four cycles, so growth per cycle would show. Run:
 *   node --expose-gc -r ./test/support/ts-register.js bench/events-memory.ts
 * The subscribers run in this process too (their objects are freed with them).
 */
import type { AddressInfo } from 'node:net';
import { EventFanOut } from '../libs/events/src/event-fanout';
import { EventStream } from '../libs/events/src/event-stream';
import { StreamConnections } from '../libs/events/src/stream-connections';
import { SseClient } from '../test/support/sse-client';
import { createTestEnvironment } from '../test/support/test-app';

const gc =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error('run with node --expose-gc');
  });
const mb = (n: number) => (n / 1048576).toFixed(1);
async function main() {
  const environment = await createTestEnvironment({ PROCESS_ROLE: 'api', EVENTS_MAX_SUBSCRIBERS: '20000', LOG_LEVEL: 'silent' });
  const app = await environment.start();
  await app.app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}/api/v1/events`;
  const auth = { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` };
  const fanOut = app.app.get(EventFanOut);
  const stream = app.app.get(EventStream);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 200));
      gc();
    }
  };
  await settle();
  console.log('start heapUsed', mb(process.memoryUsage().heapUsed), 'rss', mb(process.memoryUsage().rss));
  for (let cycle = 0; cycle < 4; cycle++) {
    const clients: SseClient[] = [];
    for (let i = 0; i < 2000; i += 100) clients.push(...(await Promise.all(Array.from({ length: 100 }, () => SseClient.connect(url, auth)))));
    for (let e = 0; e < 20; e++)
      await stream.publish([{ id: `evt_mem${cycle}_${e}`, type: 'page.updated', timestamp: new Date().toISOString(), data: { n: e, text: 'x'.repeat(500) } }]);
    while (clients.some((c) => c.messages.length < 20)) await new Promise((r) => setTimeout(r, 50));
    const peak = process.memoryUsage();
    for (const c of clients) c.close();
    clients.length = 0;
    while (fanOut.size > 0) await new Promise((r) => setTimeout(r, 50));
    await settle();
    const m = process.memoryUsage();
    console.log(
      `cycle ${cycle}: peak heapUsed ${mb(peak.heapUsed)}; after gc heapUsed ${mb(m.heapUsed)} rss ${mb(m.rss)} external ${mb(m.external)}; fanOut ${fanOut.size} held ${app.app.get<StreamConnections, { held: Map<string, string> }>(StreamConnections).held.size}`,
    );
  }
  await environment.teardown();
  process.exit(0);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

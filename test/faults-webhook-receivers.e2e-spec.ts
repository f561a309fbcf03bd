import type { ServerResponse } from 'node:http';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

const TIMEOUT_MS = 500;
const CONCURRENCY = 8;
const PAGES = 40;

interface Attempt {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/**
 * Three broken receivers at once — one that never answers, one that resets every connection,
 * one that answers only after 4× the timeout — next to a healthy one. Each attempt to a broken
 * one ends within the per-attempt timeout and is retried on the schedule, while the healthy
 * endpoint's deliveries keep arriving promptly and completely (the broken ones cannot take
 * every delivery slot of the worker).
 */
describe('fault: webhook receivers that hang, reset or answer slowly', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  const held: ServerResponse[] = [];
  const receivers: Record<'healthy' | 'hanging' | 'resetting' | 'slow', WebhookReceiver> = {} as never;
  /** When each request reached the healthy receiver, by index. */
  const receivedAt: number[] = [];

  beforeAll(async () => {
    for (const name of ['healthy', 'hanging', 'resetting', 'slow'] as const) receivers[name] = await new WebhookReceiver().start();
    receivers.healthy.respond = (_request, index, response) => {
      receivedAt[index] = Date.now();
      response.writeHead(204).end();
    };
    receivers.hanging.respond = (_request, _index, response) => held.push(response);
    receivers.resetting.respond = (_request, _index, response) => response.socket?.destroy();
    receivers.slow.respond = (_request, _index, response) => setTimeout(() => !response.destroyed && response.writeHead(200).end(), TIMEOUT_MS * 4);
    environment = await createTestEnvironment({
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      // A retry every second, so the broken endpoints keep competing for slots during the test.
      // (Every 300 ms for 120 failing deliveries is more work than the slots left to them can
      // do; the healthy endpoint then waits in the one FIFO queue all the same: a known limit.)
      WEBHOOK_RETRY_SCHEDULE: Array(20).fill('1s').join(','),
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    strata = await environment.start();
  });
  afterAll(async () => {
    for (const response of held) response.destroy();
    await environment?.teardown();
    for (const receiver of Object.values(receivers)) await receiver?.stop();
  });

  /** Writes `count` pages; answers the healthy endpoint's latency (write answered → delivery arrived) for each. */
  const writeAndMeasure = async (prefix: string, count: number): Promise<number[]> => {
    const committedAt = new Map<string, number>();
    for (let index = 0; index < count; index++) {
      const page = (
        await strata
          .api()
          .post('/api/v1/pages')
          .send({ slug: `${prefix}-${index}`, title: `P ${index}` })
          .expect(201)
      ).body;
      committedAt.set(page.id, Date.now());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const arrivals = await eventually(
      () => {
        const first = new Map<string, number>();
        receivers.healthy.received.forEach((webhook, index) => first.has(webhook.json.data.id) || first.set(webhook.json.data.id, receivedAt[index]));
        return [...committedAt.keys()].every((id) => first.has(id)) ? first : undefined;
      },
      `the healthy endpoint to get every ${prefix} page`,
      30000,
    );
    return [...committedAt].map(([id, at]) => arrivals.get(id)! - at).sort((a, b) => a - b);
  };
  const p90 = (latencies: number[]) => latencies[Math.floor(latencies.length * 0.9)];

  it('times out and retries the broken ones while the healthy one is served promptly', async () => {
    const endpoints: Record<string, string> = {};
    const register = async (name: keyof typeof receivers) => {
      endpoints[name] = (
        await strata
          .api()
          .post('/api/v1/webhooks')
          .send({ url: receivers[name].url, events: ['page.created'] })
          .expect(201)
      ).body.id;
    };
    // The healthy endpoint alone first: its latency on this machine, now, is the yardstick.
    await register('healthy');
    const alone = await writeAndMeasure('alone', 20);
    for (const name of ['hanging', 'resetting', 'slow'] as const) await register(name);
    const beside = await writeAndMeasure('p', PAGES);
    console.log(
      `[faults-webhooks] healthy endpoint: ${PAGES} of ${PAGES} delivered; latency p50/p90/max alone ${alone[10]}/${p90(alone)}/${alone[19]} ms, beside the broken ones ${beside[PAGES / 2]}/${p90(beside)}/${beside[PAGES - 1]} ms`,
    );
    // Promptly means: not queued behind the broken endpoints' timeouts (when they held every
    // slot, p90 was 1.5-3.4 s here, against 30-100 ms alone).
    expect(p90(beside)).toBeLessThan(p90(alone) + 2 * TIMEOUT_MS);

    // The broken ones: every attempt ended within the timeout (plus scheduling slack), and was retried.
    const attemptsOf = async (name: string): Promise<Attempt[][]> =>
      (await strata.api().get(`/api/v1/webhooks/${endpoints[name]}/deliveries?limit=100`).expect(200)).body.data.map(
        (delivery: { attempts: Attempt[] }) => delivery.attempts,
      );
    for (const name of ['hanging', 'resetting', 'slow']) {
      await eventually(async () => (await attemptsOf(name)).filter((tries) => tries.length >= 3).length >= 5, `${name}: retries on the schedule`, 30000);
      const deliveries = await attemptsOf(name);
      const attempts = deliveries.flat();
      console.log(
        `[faults-webhooks] ${name}: ${deliveries.length} deliveries, ${attempts.length} attempts, max ${Math.max(...attempts.map((a) => a.durationMs))} ms, errors ${[...new Set(attempts.map((a) => a.error))].join(' | ')}`,
      );
      expect(deliveries).toHaveLength(PAGES);
      expect(attempts.every((attempt) => attempt.statusCode === null && attempt.error)).toBe(true);
      // The timeout holds: no attempt runs on much past it (the margin is for a busy machine).
      expect(Math.max(...attempts.map((attempt) => attempt.durationMs))).toBeLessThan(TIMEOUT_MS + 1000);
    }
    const timedOut = (await attemptsOf('hanging')).flat().filter((attempt) => attempt.error === `timed out after ${TIMEOUT_MS} ms`);
    expect(timedOut.length).toBeGreaterThan(PAGES / 2);
  }, 90000);
});

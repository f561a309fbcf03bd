import type { ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

const TIMEOUT_MS = 500;
const CONCURRENCY = 8;
/** Pages written one at a time while the healthy endpoint's latency is measured (alone, then beside). */
const MEASURED = 100;
/** Pages written in batches before the second measurement: each gives every broken endpoint a delivery. */
const BACKLOG = 1000;
/**
 * The healthy endpoint's p90 beside the broken ones may be this many times its p90 alone (plus a
 * floor of 150 ms for a machine whose idle latency is a few tens of ms: the broken endpoints'
 * retries still cost CPU on the same two cores). Before per-endpoint lanes the tail was 10-40×,
 * and head-of-line blocking behind 500 ms attempts slows most deliveries, so p90 shows it. Not
 * p99: of 100 deliveries that is the second slowest, and one scheduling stall of the full test
 * suite's other workers put it at 237 ms once in CI while p90 was 12 ms.
 */
const P90_FACTOR = 3;
const P90_FLOOR_MS = 150;

/**
 * Three broken receivers at once — one that never answers, one that resets every connection,
 * one that answers only after 4× the timeout — next to a healthy one, with thousands of their
 * deliveries pending and being retried. Each attempt to a broken one ends within the per-attempt
 * timeout and is retried on the schedule, while the healthy endpoint's deliveries keep arriving
 * about as promptly as when it was alone (a failing endpoint's deliveries wait in the degraded
 * lane, which the worker serves only when no healthy endpoint's delivery is waiting).
 */
describe('fault: webhook receivers that hang, reset or answer slowly', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let database: DataSource;
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
      // A retry every second: far more retries come due than the slots can serve, so the broken
      // endpoints' backlog keeps competing for the worker during the whole measurement.
      WEBHOOK_RETRY_SCHEDULE: Array(20).fill('1s').join(','),
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    strata = await environment.start();
    database = strata.app.get(DataSource);
  });
  afterAll(async () => {
    for (const response of held) response.destroy();
    await environment?.teardown();
    for (const receiver of Object.values(receivers)) await receiver?.stop();
  });

  /** Arrival time at the healthy receiver of each page id (the first delivery of it). */
  const healthyArrivals = (): Map<string, number> => {
    const first = new Map<string, number>();
    receivers.healthy.received.forEach((webhook, index) => first.has(webhook.json.data.id) || first.set(webhook.json.data.id, receivedAt[index]));
    return first;
  };

  /** Writes `count` pages one by one; answers the healthy endpoint's latencies (write answered → delivery arrived), sorted. */
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
        const first = healthyArrivals();
        return [...committedAt.keys()].every((id) => first.has(id)) ? first : undefined;
      },
      `the healthy endpoint to get every ${prefix} page`,
      60000,
    ).catch(async (error: Error) => {
      const [{ failed }]: { failed: string }[] = await database.query(
        `SELECT count(*) AS failed FROM webhook_attempts a JOIN webhook_endpoints e ON e.id = a.endpoint_id WHERE e.url = $1 AND a.status_code IS DISTINCT FROM 204`,
        [receivers.healthy.url],
      );
      throw new Error(`${error.message} (${healthyArrivals().size} pages arrived; ${failed} failed attempts to the healthy endpoint)`);
    });
    return [...committedAt].map(([id, at]) => arrivals.get(id)! - at).sort((a, b) => a - b);
  };
  /** Nearest rank: of 100 latencies, p99 is the second largest (one stall of this busy machine is not the tail). */
  const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(sorted.length * p) - 1)];
  const summary = (sorted: number[]) => `p50/p90/p99 ${percentile(sorted, 0.5)}/${percentile(sorted, 0.9)}/${percentile(sorted, 0.99)} ms`;

  /** Pending deliveries of the given endpoints, and how many of them have failed at least once (a retry is pending). */
  const backlogOf = async (endpointIds: string[]): Promise<{ pending: number; retrying: number }> => {
    const [row]: { pending: string; retrying: string }[] = await database.query(
      `SELECT count(*) AS pending, count(*) FILTER (WHERE attempt_count > 0) AS retrying
         FROM webhook_deliveries WHERE endpoint_id = ANY($1::uuid[]) AND status = 'pending'`,
      [endpointIds],
    );
    return { pending: Number(row.pending), retrying: Number(row.retrying) };
  };

  it('times out and retries the broken ones while the healthy one keeps its unloaded latency', async () => {
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
    const alone = await writeAndMeasure('alone', MEASURED);

    const broken = ['hanging', 'resetting', 'slow'] as const;
    for (const name of broken) await register(name);
    const brokenIds = broken.map((name) => endpoints[name]);
    // The broken endpoints are known to fail (as after any real outage) before their backlog is
    // written, and their first failed delivery is retried on the schedule. This is proved here,
    // before the backlog: afterwards a retry falls due behind the thousands of first attempts
    // queued before it (the degraded lane is first come, first served), so whether a second try
    // happens during the measurement depends on how fast the machine works through them (a
    // quiet machine finished the run with every broken delivery tried once).
    await strata.api().post('/api/v1/pages').send({ slug: 'first-failures', title: 'First failures' }).expect(201);
    await eventually(
      async () =>
        (await database.query(`SELECT DISTINCT endpoint_id FROM webhook_deliveries WHERE endpoint_id = ANY($1::uuid[]) AND attempt_count >= 2`, [brokenIds]))
          .length === 3,
      'a retried failed delivery on each broken endpoint',
      60000,
    );
    for (let offset = 0; offset < BACKLOG; offset += 100) {
      const operations = Array.from({ length: 100 }, (_, index) => ({ op: 'create', data: { slug: `backlog-${offset + index}`, title: 'Backlog' } }));
      await strata.api().post('/api/v1/pages/batch').send({ operations }).expect(200);
    }
    // The healthy endpoint has had its share of the backlog, and the broken ones have retries queued.
    await eventually(() => healthyArrivals().size >= MEASURED + 1 + BACKLOG, 'the healthy endpoint to get the backlog', 120000);
    await eventually(async () => (await backlogOf(brokenIds)).retrying >= BACKLOG, `${BACKLOG} retries pending`, 120000);
    const before = await backlogOf(brokenIds);
    const beside = await writeAndMeasure('beside', MEASURED);
    const after = await backlogOf(brokenIds);
    console.log(
      `[faults-webhooks] healthy endpoint, ${MEASURED} pages each: alone ${summary(alone)}; beside 3 broken endpoints with ${before.pending}→${after.pending} deliveries pending (${before.retrying}→${after.retrying} of them retries) ${summary(beside)}`,
    );
    expect(Math.min(before.pending, after.pending)).toBeGreaterThanOrEqual(2 * BACKLOG);
    expect(percentile(beside, 0.9)).toBeLessThan(Math.max(P90_FACTOR * percentile(alone, 0.9), P90_FLOOR_MS));

    // The broken ones: every attempt failed without a status and ended within the timeout (plus
    // scheduling slack), and deliveries were retried.
    for (const name of broken) {
      const [attempts]: { count: string; maxDurationMs: number; p99DurationMs: number; mostTries: number; errors: string[] }[] = await database.query(
        `SELECT count(*) AS count, max(a.duration_ms) AS "maxDurationMs", percentile_disc(0.99) WITHIN GROUP (ORDER BY a.duration_ms) AS "p99DurationMs",
                max(d.attempt_count) AS "mostTries",
                array_agg(DISTINCT coalesce(a.error, 'status ' || a.status_code)) AS errors
           FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE a.endpoint_id = $1`,
        [endpoints[name]],
      );
      console.log(
        `[faults-webhooks] ${name}: ${attempts.count} attempts, at most ${attempts.mostTries} per delivery, p99/max ${attempts.p99DurationMs}/${attempts.maxDurationMs} ms, errors ${attempts.errors.join(' | ')}`,
      );
      expect(attempts.errors.every((error) => !error.startsWith('status'))).toBe(true);
      expect(attempts.mostTries).toBeGreaterThanOrEqual(2);
      // The timeout holds: attempts end soon after it (the margin, and p99 rather than the
      // maximum, are for this busy machine, where a timer can fire a second or two late).
      expect(attempts.p99DurationMs).toBeLessThan(TIMEOUT_MS + 1000);
    }
    // The hanging receiver's attempts go on timing out. How many have ended by now depends on how
    // fast the rest of the test ran (48 of the 50 asked for, once, on a quiet machine), so wait
    // for them rather than count at one moment.
    const timedOut = async () => {
      const [{ count }]: { count: string }[] = await database.query(`SELECT count(*) AS count FROM webhook_attempts WHERE endpoint_id = $1 AND error = $2`, [
        endpoints.hanging,
        `timed out after ${TIMEOUT_MS} ms`,
      ]);
      return Number(count) > MEASURED / 2;
    };
    await eventually(timedOut, `more than ${MEASURED / 2} timed-out attempts at the hanging receiver`, 60000);
  }, 600000);
});

import { Client } from 'pg';
import { httpCaller } from './support/http-call';
import { LoadGenerator, LoadResult, maxLatency, outcomes } from './support/load-generator';
import { SpawnedApp } from './support/spawned-app';
import { createTestEnvironment, TestEnvironment } from './support/test-app';
import { TEST_POSTGRES_ADMIN_URL } from './support/test-infra';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const KILLS = 5;

/**
 * Every PostgreSQL backend of this test's database (and only those) terminated with
 * pg_terminate_backend, several times, while a load generator runs against Strata as a real
 * process: a request that loses its connection gets a quick 503 problem+json (never a 500, a
 * hang or SQL text), the pool reconnects by itself, every acknowledged write is kept and its
 * event delivered (the outbox relay survives too).
 */
describe('fault: PostgreSQL connections terminated under load', () => {
  let environment: TestEnvironment;
  let app: SpawnedApp;
  let receiver: WebhookReceiver;
  let admin: Client;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s', OUTBOX_POLL_INTERVAL_MS: '100' });
    app = await SpawnedApp.start(environment.env);
    admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
    await admin.connect();
  }, 90000);
  afterAll(async () => {
    await admin?.end();
    await app?.stop();
    await environment?.teardown();
    await receiver?.stop();
  });

  /** Terminates the app's connections: the backends of this test's database, not our own. */
  const terminateBackends = async (): Promise<number> => {
    const { rows } = await admin.query('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [environment.databaseName]);
    return rows[0].killed;
  };

  it('answers 503 problem+json quickly while connections die, then recovers with nothing lost', async () => {
    const headers = { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` };
    const call = httpCaller(app.url, headers);
    expect((await call('POST', '/api/v1/webhooks', { url: receiver.url, events: ['page.created'] })).status).toBe(201);
    const pages: string[] = [];
    for (let index = 0; index < 10; index++) pages.push((await call('POST', '/api/v1/pages', { slug: `seed-${index}`, title: `Seed ${index}` })).body.id);

    // Writes and uncached list queries (a fresh tag each time) reach the database on every request.
    const load = new LoadGenerator(app.url, headers, (n) =>
      n % 3 === 0
        ? { name: 'write', method: 'POST', path: '/api/v1/pages', body: { slug: `load-${n}`, title: `Load ${n}`, tags: [`t${n}`] } }
        : n % 3 === 1
          ? { name: 'list', path: `/api/v1/pages?limit=5&tag=t${n - 1}` }
          : { name: 'read', path: `/api/v1/pages/${pages[n % pages.length]}` },
    { concurrency: 8, keepJson: true }).start();

    await sleep(1000);
    let killed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      killed += await terminateBackends();
      await sleep(600);
    }
    const killsEndedAt = Date.now();
    await sleep(2000);
    const results = await load.stop();
    console.log(`[faults-postgres] ${KILLS} rounds, ${killed} backends terminated; ${results.length} requests: ${JSON.stringify(outcomes(results))}; max ${maxLatency(results)} ms`);

    expect(killed).toBeGreaterThanOrEqual(KILLS);
    const wrong = results.filter((result) => result.error || ((result.status ?? 0) >= 500 && !isCleanUnavailable(result)));
    if (wrong.length) console.log(app.output());
    expect(wrong.map(describeResult)).toEqual([]);
    expect(maxLatency(results)).toBeLessThan(3000);
    // The pool recovered: everything sent a moment after the last kill succeeded.
    const after = results.filter((result) => result.startedAt > killsEndedAt + 500);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((result) => (result.status ?? 0) >= 400).map(describeResult)).toEqual([]);

    // No acknowledged write was lost: each is readable and its event was delivered.
    const written = results.filter((result) => result.name === 'write' && result.status === 201).map((result) => result.json.id as string);
    for (const id of written) expect((await call('GET', `/api/v1/pages/${id}`)).status).toBe(200);
    await eventually(() => {
      const delivered = new Set(receiver.ofType('page.created').map((webhook) => webhook.json.data.id));
      return written.every((id) => delivered.has(id));
    }, 'every acknowledged write to be delivered as page.created', 30000);
    console.log(`[faults-postgres] ${written.length} acknowledged writes, all readable and delivered`);
  }, 120000);
});

/** A 503 that says only what a client needs: problem+json, Retry-After, no SQL or stack. */
function isCleanUnavailable(result: LoadResult): boolean {
  return (
    result.status === 503 &&
    result.contentType?.startsWith('application/problem+json') === true &&
    result.headers?.get('retry-after') !== null &&
    !/terminat|QueryFailed|SELECT|INSERT|\bat \S+ \(/i.test(result.body ?? '')
  );
}

function describeResult(result: LoadResult): string {
  return `${result.name} ${result.error ?? result.status} after ${result.ms} ms ${result.body ?? ''}`;
}

import { httpCaller } from './http-call';
import { LoadGenerator, LoadResult, maxLatency, outcomes } from './load-generator';
import { SpawnedApp } from './spawned-app';
import { eventually, WebhookReceiver } from './webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface DatabaseFaultOutcome {
  results: LoadResult[];
  /** Acknowledged (201) writes made during the load. */
  written: string[];
}

/**
 * Runs a mixed load (writes, uncached lists, cached reads) against a spawned Strata whose
 * webhook endpoint points at `receiver`, calls `injectFaults` in the middle of it, and then
 * checks what every database fault must leave true:
 * - the process is still running (a fault must never crash it);
 * - a request that met the fault got a quick, clean 503 problem+json (never a 500, a hang, an
 *   unanswered connection or SQL text);
 * - the pool recovered by itself: everything sent a moment after the faults ended succeeded;
 * - every acknowledged write is readable and its event was delivered (the outbox relay and its
 *   LISTEN connection survived too).
 */
export async function runDatabaseFaultScenario(
  label: string,
  app: SpawnedApp,
  receiver: WebhookReceiver,
  apiKey: string,
  injectFaults: () => Promise<void>,
): Promise<DatabaseFaultOutcome> {
  const headers = { authorization: `Bearer ${apiKey}` };
  const call = httpCaller(app.url, headers);
  expect((await call('POST', '/api/v1/webhooks', { url: receiver.url, events: ['page.created'] })).status).toBe(201);
  const pages: string[] = [];
  for (let index = 0; index < 10; index++) pages.push((await call('POST', '/api/v1/pages', { slug: `seed-${index}`, title: `Seed ${index}` })).body.id);

  // Writes and uncached list queries (a fresh tag each time) reach the database on every request.
  const load = new LoadGenerator(
    app.url,
    headers,
    (n) =>
      n % 3 === 0
        ? { name: 'write', method: 'POST', path: '/api/v1/pages', body: { slug: `load-${n}`, title: `Load ${n}`, tags: [`t${n}`] } }
        : n % 3 === 1
          ? { name: 'list', path: `/api/v1/pages?limit=5&tag=t${n - 1}` }
          : { name: 'read', path: `/api/v1/pages/${pages[n % pages.length]}` },
    { concurrency: 8, keepJson: true },
  ).start();

  await sleep(1000);
  await injectFaults();
  const faultsEndedAt = Date.now();
  // Long enough for the pool to reconnect and for plenty of requests to prove it did.
  await sleep(3000);
  const results = await load.stop();
  console.log(`[${label}] ${results.length} requests: ${JSON.stringify(outcomes(results))}; max ${maxLatency(results)} ms`);

  if (!app.running) console.log(app.output());
  expect(app.running).toBe(true);
  const wrong = results.filter((result) => result.error || ((result.status ?? 0) >= 500 && !isCleanUnavailable(result)));
  if (wrong.length) console.log(app.output());
  expect(wrong.map(describeResult)).toEqual([]);
  expect(maxLatency(results)).toBeLessThan(3000);
  const after = results.filter((result) => result.startedAt > faultsEndedAt + 1000);
  expect(after.length).toBeGreaterThan(20);
  expect(after.filter((result) => (result.status ?? 0) >= 400).map(describeResult)).toEqual([]);

  const written = results.filter((result) => result.name === 'write' && result.status === 201).map((result) => result.json.id as string);
  for (const id of written) expect((await call('GET', `/api/v1/pages/${id}`)).status).toBe(200);
  await eventually(
    () => {
      const delivered = new Set(receiver.ofType('page.created').map((webhook) => webhook.json.data.id));
      return written.every((id) => delivered.has(id));
    },
    'every acknowledged write to be delivered as page.created',
    30000,
  );
  console.log(`[${label}] ${written.length} acknowledged writes, all readable and delivered`);
  return { results, written };
}

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

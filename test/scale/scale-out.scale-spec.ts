import { readFileSync } from 'node:fs';
import { eventually, WebhookReceiver } from '../support/webhook-receiver';
import { ContentWorkload, sha256 } from './content-workload';
import { RateLimitHammer } from './rate-limit-hammer';
import { ResumingEventStream } from './resuming-event-stream';
import { ScaleOutDeployment } from './scale-out-deployment';
import { connectionBelongsTo } from './socket-owner';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const API_INSTANCES = 3;
const WORKERS = 2;
/** Per-minute limit of the key hammered through the failovers. */
const LIMIT = 20;
/** README, "Running at scale": each instance may count in its own memory while it cannot reach Redis. */
const LIMIT_BOUND = LIMIT * (1 + API_INSTANCES);
/** Creates and updates acknowledged before the load stops. */
const MIN_WRITES = 40;
/** Above the 5 MiB part size: this upload is a multipart upload of two parts. */
const LARGE_UPLOAD_BYTES = 6 * 1024 * 1024 + 12_345;

interface ListedPage {
  id: string;
  version: number;
  title: string;
}

/**
 * Issue 13's scale e2e: Strata as 3 api processes and 2 worker processes on a Redis Cluster, a
 * PostgreSQL primary with a streaming replica and S3 media storage, under a mixed load spread
 * over the api processes. During the load the Redis master holding the webhook queue and then
 * the one holding the hammered key's rate-limit counters are failed over (CLUSTER FAILOVER),
 * and a worker is SIGKILLed while it delivers (a new one is started later). Afterwards:
 * - every acknowledged write is read at its acknowledged version and title from every instance,
 *   both as an item (cache, then primary or replica) and in the list (a replica read when it is
 *   up to date);
 * - every event of every committed write (the outbox) reached the webhook receiver and both SSE
 *   streams at least once, and every acknowledged write has its event there;
 * - the hammered key was allowed at least its limit and at most limit × (1 + api instances);
 * - every upload, taken by any instance, downloads whole and as a byte range from every instance;
 * - no request failed (no 5xx, no connection error) and nothing but a stale If-Match was refused.
 */
describe('Strata scaled out: 3 api + 2 workers on a Redis Cluster, a PostgreSQL replica and S3', () => {
  let deployment: ScaleOutDeployment;
  let receiver: WebhookReceiver;
  const streams: ResumingEventStream[] = [];
  let holding = false;
  let setupMs = 0;
  const held: Array<{ eventId: string; clientPort: number; answer: () => void }> = [];

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    // A receiver that takes a moment, and holds its answers while `holding` (see the SIGKILL below).
    receiver.respond = (request, _index, response) => {
      const answer = () => setTimeout(() => response.writeHead(204).end(), 20);
      if (holding) held.push({ eventId: request.json.id, clientPort: response.socket!.remotePort!, answer });
      else answer();
    };
    const startedAt = Date.now();
    deployment = await ScaleOutDeployment.start({
      apis: API_INSTANCES,
      workers: WORKERS,
      env: {
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s,5s',
        OUTBOX_POLL_INTERVAL_MS: '100',
        DATABASE_REPLICA_MAX_LAG_MS: '2000',
        RATE_LIMIT_TIERS: JSON.stringify({ hammered: { perMinute: LIMIT, perDay: 100_000 } }),
      },
    });
    setupMs = Date.now() - startedAt;
  }, 240_000);

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await deployment?.stop();
    await receiver?.stop();
  });

  it('loses no acknowledged write, event or upload through a Redis failover and a worker SIGKILL, and holds the limit within its bound', async () => {
    const admin = `Bearer ${deployment.env.ADMIN_API_KEY}`;
    const urls = deployment.apis.map((api) => api.url);
    const get = async (url: string, headers: Record<string, string> = {}) => {
      const response = await fetch(url, { headers: { authorization: admin, ...headers }, signal: AbortSignal.timeout(20_000) });
      return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
    };
    const getJson = async (url: string) => {
      const response = await get(url);
      return { status: response.status, body: JSON.parse(response.bytes.toString('utf8') || 'null') };
    };

    // Every instance reads from the replica before the load starts.
    for (const url of urls) {
      await eventually(
        async () => (await getJson(`${url}/health`)).body?.details?.replicas?.replicas?.[0]?.state === 'up',
        `the replica to be up on ${url}`,
        30_000,
      );
    }
    const apiFetch = (url: string, path: string, method: string, body: unknown) =>
      fetch(`${url}${path}`, { method, headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const webhook = await apiFetch(urls[0], '/api/v1/webhooks', 'POST', { url: receiver.url, events: ['page.*', 'media.*'] });
    expect(webhook.status).toBe(201);
    await webhook.arrayBuffer();
    const hammered = await createKeyOn(urls[1], admin);
    // Live event subscribers on two instances, open before the first content write.
    for (const url of [urls[0], urls[2]]) {
      streams.push(await ResumingEventStream.open(`${url}/api/v1/events?types=page.*,media.*`, { authorization: admin }));
    }

    const workload = new ContentWorkload(urls, admin, { loopsPerInstance: 2, uploadEvery: 50, maxUploadBytes: 200_000 });
    for (const url of urls) await workload.createPage(url);
    // The pipeline works end to end before anything is broken.
    await eventually(() => receiver.ofType('page.created').length >= urls.length, 'the first page.created webhooks', 30_000);

    const hammer = new RateLimitHammer(urls, `Bearer ${hammered.key}`).start();
    workload.start();
    let limited: number[];
    let replacement: Promise<unknown> | undefined;
    let queueFailoverMs: number | undefined;
    let limiterFailoverMs: number | undefined;
    let killedMidDelivery = '';
    try {
      await sleep(2000);
      const prefix = deployment.env.REDIS_KEY_PREFIX;
      // The master holding the webhook queue (BullMQ's hash-tagged prefix on a Cluster), during a large upload.
      const uploads = [workload.upload(urls[1], LARGE_UPLOAD_BYTES)];
      const queueFailoverAt = Date.now();
      await deployment.cluster.failoverMasterOf(`{${prefix}bull}:webhook-deliveries`);
      queueFailoverMs = Date.now() - queueFailoverAt;
      // A worker dies in the middle of a delivery: the receiver holds its answers until one comes
      // from that worker's connection, and the worker is killed before it gets the answer. The
      // other worker carries on alone for a while.
      const victim = deployment.workers[0];
      holding = true;
      const inFlight = await eventually(
        () => held.find((request) => connectionBelongsTo(victim.pid!, request.clientPort)),
        'a delivery from the worker to kill',
        30_000,
      );
      killedMidDelivery = inFlight.eventId;
      uploads.push(workload.upload(urls[0], 300_000));
      await deployment.kill(victim);
      holding = false;
      for (const request of held.splice(0)) request.answer();
      await sleep(1500);
      // The master holding the hammered key's counters (the same one again, failed back, if it is).
      const limiterFailoverAt = Date.now();
      uploads.push(workload.upload(urls[2], 1_000_000));
      await deployment.cluster.failoverMasterOf(`${prefix}rl:{key:${hammered.id}}:w`);
      limiterFailoverMs = Date.now() - limiterFailoverAt;
      await Promise.all(uploads);
      replacement = deployment.startWorker();
      // The load goes on past the faults until it is a load, however slow the machine is today.
      await sleep(2000);
      await eventually(
        () => (workload.outcomes['create 201'] ?? 0) >= MIN_WRITES && (workload.outcomes['update 200'] ?? 0) >= MIN_WRITES,
        `${MIN_WRITES} creates and updates`,
        60_000,
      );
    } finally {
      await workload.stop();
      // Enough requests that a limit not held would show: at least twice the bound.
      limited = await hammer.stop(2 * LIMIT_BOUND + 1);
    }
    await replacement;

    const acknowledgedPages = [...workload.pages.entries()];
    const allowed = limited.filter((status) => status === 200).length;
    console.log(
      `[scale-out] set up in ${setupMs} ms; ${acknowledgedPages.length} pages, ${workload.events.length} acknowledged writes, ${workload.media.length} uploads; ` +
        `outcomes ${JSON.stringify(workload.outcomes)}; failovers ${queueFailoverMs} ms and ${limiterFailoverMs} ms; ` +
        `worker killed delivering ${killedMidDelivery}; hammered key: ${allowed} allowed of ${limited.length} ` +
        `(limit ${LIMIT}/min, bound ${LIMIT_BOUND}); load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`,
    );

    // No request failed, and every instance took an upload.
    expect(workload.failures).toEqual([]);
    expect(limited.filter((status) => status !== 200 && status !== 429)).toEqual([]);
    expect(new Set(workload.media.map((media) => media.via))).toEqual(new Set(urls));

    // The limit held within its bound, and the key asked for far more than the bound.
    expect(limited.length).toBeGreaterThan(2 * LIMIT_BOUND);
    expect(allowed).toBeGreaterThanOrEqual(LIMIT);
    expect(allowed).toBeLessThanOrEqual(LIMIT_BOUND);

    // Every acknowledged write, at its version, as an item and in the list, from every instance.
    for (const url of urls) {
      await settles(`every acknowledged page at its version on ${url}`, 5000, async () => {
        const reads = await inBatches(acknowledgedPages, 8, async ([id, page]) => {
          const read = await getJson(`${url}/api/v1/pages/${id}`);
          const ok = read.status === 200 && read.body.version === page.version && read.body.title === page.title;
          return ok ? undefined : `${id}: ${read.status} v${read.body?.version} "${read.body?.title}" for v${page.version} "${page.title}"`;
        });
        return reads.filter((problem): problem is string => problem !== undefined);
      });
      await settles(`every acknowledged page at its version in the list on ${url}`, 5000, async () => {
        const listed = new Map<string, ListedPage>();
        let cursor: string | null = null;
        do {
          const page = await getJson(`${url}/api/v1/pages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          if (page.status !== 200) return [`the list answered ${page.status}`];
          for (const item of page.body.data as ListedPage[]) listed.set(item.id, item);
          cursor = page.body.nextCursor;
        } while (cursor);
        return acknowledgedPages
          .filter(([id, page]) => listed.get(id)?.version !== page.version || listed.get(id)?.title !== page.title)
          .map(([id, page]) => `${id}: listed as v${listed.get(id)?.version} for v${page.version}`);
      });
    }
    // Some of those reads ran on the replica (lists and cache misses go there once it has the last write).
    const replicaReads = await Promise.all(urls.map(async (url) => readsOnReplica((await get(`${url}/metrics`)).bytes.toString('utf8'))));
    expect(replicaReads.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);

    // Every upload, whole and as a byte range, from every instance.
    for (const media of workload.media) {
      for (const url of urls) {
        const whole = await get(`${url}/api/v1/media/${media.id}/file`);
        expect({ media: media.id, via: media.via, from: url, status: whole.status, sha256: sha256(whole.bytes) }).toEqual({
          media: media.id,
          via: media.via,
          from: url,
          status: 200,
          sha256: sha256(media.bytes),
        });
        const from = Math.floor(media.bytes.length / 3);
        const to = Math.min(media.bytes.length - 1, from + 4095);
        const ranged = await get(`${url}/api/v1/media/${media.id}/file`, { range: `bytes=${from}-${to}` });
        expect(ranged.status).toBe(206);
        expect(ranged.headers.get('content-range')).toBe(`bytes ${from}-${to}/${media.bytes.length}`);
        expect(sha256(ranged.bytes)).toBe(sha256(media.bytes.subarray(from, to + 1)));
      }
    }

    // Every event of every committed write, by event id: each acknowledged write has one, and
    // each reached the webhook receiver and both live streams (at least once).
    const outbox = await deployment.primary.query<{ id: string; type: string; item: string; version: number }>(
      `SELECT id, type, payload->'data'->>'id' AS item, (payload->'data'->>'version')::int AS version FROM outbox_events
        WHERE type LIKE 'page.%' OR type LIKE 'media.%'`,
      [],
      'strata_scale',
    );
    const eventOf = new Map(outbox.map((row) => [`${row.type} ${row.item} v${row.version}`, row.id]));
    expect(outbox.length).toBe(eventOf.size);
    expect(workload.events.map((event) => `${event.type} ${event.id} v${event.version}`).filter((key) => !eventOf.has(key))).toEqual([]);
    const webhookIds = () => new Set(receiver.received.map((webhook) => webhook.json.id));
    const notIn = (ids: Set<string>) => outbox.filter((row) => !ids.has(row.id)).map((row) => `${row.id} (${row.type} ${row.item} v${row.version})`);
    await settles(
      `every one of ${outbox.length} events on the webhook receiver`,
      60_000,
      () => notIn(webhookIds()),
      () => deployment.output(),
    );
    // The delivery the killed worker never got an answer for was sent again (its job's lock expired).
    await settles(`the delivery of ${killedMidDelivery} again after the SIGKILL`, 30_000, () =>
      receiver.received.filter((webhook) => webhook.json.id === killedMidDelivery).length >= 2 ? [] : ['delivered once only'],
    );
    for (const [index, stream] of streams.entries()) {
      await settles(`every one of ${outbox.length} events on live stream ${index}`, 30_000, () => notIn(stream.ids()));
    }
    console.log(
      `[scale-out] ${outbox.length} events; webhook deliveries ${receiver.received.length} (${receiver.received.length - webhookIds().size} repeated); ` +
        `live streams resumed ${streams.map((stream) => stream.reconnects).join(' and ')} times; replica reads ${replicaReads.join('/')}`,
    );
  }, 240_000);
});

async function createKeyOn(url: string, authorization: string): Promise<{ id: string; key: string }> {
  const response = await fetch(`${url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'hammered', scopes: ['content:read'], tier: 'hammered' }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; key: string };
}

/** strata_db_reads_total{target="replica",…} summed over its reasons. */
function readsOnReplica(metrics: string): number {
  let total = 0;
  for (const [, value] of metrics.matchAll(/^strata_db_reads_total\{target="replica",reason="\w*"\} (\d+)$/gm)) total += Number(value);
  return total;
}

/**
 * Polls `problems` until it answers none; past `timeoutMs`, fails naming the problems left
 * (and `context()`, e.g. the processes' logs). Waits for a state, it times nothing.
 */
async function settles(what: string, timeoutMs: number, problems: () => string[] | Promise<string[]>, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await problems();
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}: ${left.length} left, e.g.\n  ${left.slice(0, 10).join('\n  ')}${context ? `\n${context()}` : ''}`);
    }
    await sleep(100);
  }
}

/** `work` over `items`, at most `concurrency` at a time, answers in order. */
async function inBatches<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let index = 0; index < items.length; index += concurrency) results.push(...(await Promise.all(items.slice(index, index + concurrency).map(work))));
  return results;
}

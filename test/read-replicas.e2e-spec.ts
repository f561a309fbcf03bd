import { PrivatePostgres } from './support/private-postgres';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

const DATABASE = 'strata_replicas';
const MAX_LAG_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

interface ReplicaHealth {
  replica: string;
  state: string;
  lagMs?: number;
}

/**
 * Read replicas for real: a private primary and a streaming replica of it made by
 * `pg_basebackup` (never the shared server), replay paused with `pg_wal_replay_pause()` to make
 * the replica lag on purpose, and stopped to make it disappear.
 */
describe('PostgreSQL read replicas', () => {
  let primary: PrivatePostgres;
  let replica: PrivatePostgres;
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    primary = await PrivatePostgres.start();
    const databaseUrl = await primary.createDatabase(DATABASE);
    replica = await primary.startReplica();
    environment = await createTestEnvironment();
    strata = await environment.start({
      DATABASE_URL: databaseUrl,
      DATABASE_REPLICA_URLS: replica.url(DATABASE),
      DATABASE_REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
    });
    await waitFor('the replica is read from', async () => (await replicaHealth()).state === 'up');
  }, 90_000);

  afterAll(async () => {
    await environment?.teardown();
    await replica?.destroy();
    await primary?.destroy();
  });

  afterEach(async () => {
    // Whatever a failed test left paused replays again for the next one.
    await replica.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
  });

  async function replicaHealth(): Promise<ReplicaHealth> {
    const health = await strata.api().get('/health');
    return (health.body as { details: { replicas: { replicas: ReplicaHealth[] } } }).details.replicas.replicas[0];
  }

  /** strata_db_reads_total by `target/reason` (`replica/`, `primary/behind_floor`, ...). */
  async function readCounts(): Promise<Record<string, number>> {
    const text = (await strata.api().get('/metrics').expect(200)).text;
    const counts: Record<string, number> = {};
    for (const [, target, reason, value] of text.matchAll(/^strata_db_reads_total\{target="(\w+)",reason="(\w*)"\} (\d+)$/gm))
      counts[`${target}/${reason}`] = Number(value);
    return counts;
  }

  async function createPage(title: string): Promise<{ id: string; version: number }> {
    const created = await strata
      .api()
      .post('/api/v1/pages')
      .send({ slug: `replica-${Date.now()}-${Math.random().toString(36).slice(2)}`, title })
      .expect(201);
    return created.body as { id: string; version: number };
  }

  async function replicaHas(id: string, version: number): Promise<boolean> {
    const rows = await replica.query<{ version: number }>('SELECT version FROM pages WHERE id = $1', [id], DATABASE);
    return rows[0]?.version === version;
  }

  const flushCache = () => strata.api().post('/api/v1/cache/flush').send({}).expect(200);

  it('never caches a version older than the last write, though the replica still has it', async () => {
    const page = await createPage('first title');
    await waitFor('the replica has the page', () => replicaHas(page.id, 1));
    await strata.api().get(`/api/v1/pages/${page.id}`).expect(200);

    await replica.query('SELECT pg_wal_replay_pause()');
    const updated = await strata.api().patch(`/api/v1/pages/${page.id}`).send({ title: 'second title' }).expect(200);
    expect(updated.body.version).toBe(2);
    expect(await replicaHas(page.id, 1)).toBe(true);
    const before = await readCounts();

    // The write invalidated the lists; the item is dropped here, so both are cache misses now.
    const list = await strata.api().get('/api/v1/pages?limit=100').expect(200);
    expect((list.body.data as Array<{ id: string; title: string }>).find((item) => item.id === page.id)?.title).toBe('second title');
    await flushCache();
    const read = await strata.api().get(`/api/v1/pages/${page.id}`).expect(200);
    expect(read.body).toMatchObject({ title: 'second title', version: 2 });
    // Read twice more: what was cached is the new version.
    for (let again = 0; again < 2; again++) expect((await strata.api().get(`/api/v1/pages/${page.id}`).expect(200)).body.version).toBe(2);

    // None of these reads ran on the replica; the read floor sent them to the primary (on a busy
    // machine a late poll may also have set the replica aside for a moment: 'no_replica').
    const after = await readCounts();
    const grew = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    expect(grew('replica/')).toBe(0);
    expect(grew('primary/behind_floor')).toBeGreaterThanOrEqual(1);
    expect(grew('primary/behind_floor') + grew('primary/no_replica')).toBeGreaterThanOrEqual(2);
  });

  it('reads from a replica within the lag bound, and skips it once it is further behind', async () => {
    const page = await createPage('as written');
    await waitFor('the replica has the page', () => replicaHas(page.id, 1));
    await waitFor('the replica is read from', async () => (await replicaHealth()).state === 'up');

    // A change made behind Strata's back raises no read floor: only the replica's lag decides.
    await replica.query('SELECT pg_wal_replay_pause()');
    await primary.query(`UPDATE pages SET title = 'changed on the primary' WHERE id = $1`, [page.id], DATABASE);
    await flushCache();
    const before = await readCounts();
    const fromReplica = await strata.api().get(`/api/v1/pages/${page.id}`).expect(200);
    expect(fromReplica.body.title).toBe('as written');
    expect((await readCounts())['replica/'] - (before['replica/'] ?? 0)).toBeGreaterThanOrEqual(1);

    await waitFor('the replica is reported lagging', async () => (await replicaHealth()).state === 'lagging', MAX_LAG_MS + 10_000);
    const health = await strata.api().get('/health').expect(200);
    expect(health.body.status).toBe('degraded');
    expect((await replicaHealth()).lagMs).toBeGreaterThan(MAX_LAG_MS);
    await strata.api().get('/health/ready').expect(200);

    await flushCache();
    const fromPrimary = await strata.api().get(`/api/v1/pages/${page.id}`).expect(200);
    expect(fromPrimary.body.title).toBe('changed on the primary');

    await replica.query('SELECT pg_wal_replay_resume()');
    await waitFor('the replica has caught up and is read from again', async () => (await replicaHealth()).state === 'up');
    expect((await replicaHealth()).lagMs).toBeLessThanOrEqual(MAX_LAG_MS);
  }, 60_000);

  it('answers every request while the replica is down, and reads from it again once it is back', async () => {
    const page = await createPage('replica goes away');
    await waitFor('the replica has the page', () => replicaHas(page.id, 1));
    await waitFor('the replica is read from', async () => (await replicaHealth()).state === 'up');

    await replica.stop('fast');
    // Straight away, before any poll has noticed: the first reads meet the dead replica itself.
    for (let round = 0; round < 5; round++) {
      await flushCache();
      expect((await strata.api().get(`/api/v1/pages/${page.id}`).expect(200)).body.title).toBe('replica goes away');
      await strata.api().get('/api/v1/pages?q=replica').expect(200);
      await strata.api().get(`/api/v1/pages/${page.id}/graph`).expect(200);
    }
    await waitFor('the replica is reported down', async () => (await replicaHealth()).state === 'down');
    const health = await strata.api().get('/health').expect(200);
    expect(health.body.status).toBe('degraded');
    expect(JSON.stringify(health.body.details.replicas)).not.toContain('127.0.0.1');
    await strata.api().get('/health/ready').expect(200);

    await replica.restart();
    await waitFor('the replica is read from again', async () => (await replicaHealth()).state === 'up');
    const before = (await readCounts())['replica/'] ?? 0;
    await flushCache();
    await strata.api().get(`/api/v1/pages/${page.id}`).expect(200);
    expect((await readCounts())['replica/']).toBeGreaterThan(before);
  }, 60_000);
});

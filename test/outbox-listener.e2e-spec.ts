import { DataSource } from 'typeorm';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually } from './support/webhook-receiver';

/**
 * The relay is woken by NOTIFY; its poll is set to a minute here, so an event relayed within
 * seconds proves a live LISTEN connection, even after that connection was killed.
 */
describe('outbox relay LISTEN connection', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    environment = await createTestEnvironment({ OUTBOX_POLL_INTERVAL_MS: '60000' });
    strata = await environment.start();
    dataSource = strata.app.get(DataSource);
  });
  afterAll(() => environment?.teardown());

  const listenerPids = async () =>
    (await dataSource.query<Array<{ pid: number }>>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`)).map(
      (row) => row.pid,
    );

  async function relayedWithinSeconds(slug: string): Promise<void> {
    const page = (await strata.api().post('/api/v1/pages').send({ slug, title: slug }).expect(201)).body;
    await eventually(
      async () => {
        const rows = await dataSource.query(`SELECT 1 FROM outbox_events WHERE payload->'data'->>'id' = $1 AND relayed_at IS NOT NULL`, [page.id]);
        return rows.length === 1;
      },
      `${slug} to be relayed`,
      5_000,
    );
  }

  it('is opened again after its backend is terminated, and events keep moving at once', async () => {
    await relayedWithinSeconds('before-the-cut');
    const [killed] = await listenerPids();
    expect(killed).toBeDefined();
    await dataSource.query('SELECT pg_terminate_backend($1)', [killed]);

    await eventually(
      async () => {
        const pids = await listenerPids();
        return pids.length === 1 && pids[0] !== killed;
      },
      'a new LISTEN connection',
      5_000,
    );
    await relayedWithinSeconds('after-the-cut');
  });
});

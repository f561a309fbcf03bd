import { Client } from 'pg';
import { runDatabaseFaultScenario } from './support/database-fault-scenario';
import { SpawnedApp } from './support/spawned-app';
import { createTestEnvironment, TestEnvironment } from './support/test-app';
import { TEST_POSTGRES_ADMIN_URL } from './support/test-infra';
import { WebhookReceiver } from './support/webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const KILLS = 8;

/**
 * Every PostgreSQL backend of this test's database (and only those: the pool's, the outbox
 * relay's LISTEN connection, any in a transaction) terminated with pg_terminate_backend,
 * several times, while a load generator runs against Strata as a real process. See
 * runDatabaseFaultScenario for what must hold afterwards.
 */
describe('fault: PostgreSQL connections terminated under load', () => {
  let environment: TestEnvironment;
  let app: SpawnedApp;
  let receiver: WebhookReceiver;
  let admin: Client;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    environment = await createTestEnvironment({
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
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
  const terminateBackends = async (): Promise<{ killed: number; listeners: number }> => {
    const { rows } = await admin.query(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed, count(*) FILTER (WHERE query ILIKE 'LISTEN%')::int AS listeners
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [environment.databaseName],
    );
    return rows[0];
  };

  it('answers 503 problem+json quickly while connections die, then recovers with nothing lost', async () => {
    let killed = 0;
    let listenersKilled = 0;
    await runDatabaseFaultScenario('faults-postgres', app, receiver, environment.env.ADMIN_API_KEY, async () => {
      for (let kill = 0; kill < KILLS; kill++) {
        const round = await terminateBackends();
        killed += round.killed;
        listenersKilled += round.listeners;
        // Short and uneven pauses: some rounds land while the pool and the listener reconnect.
        await sleep(kill % 2 === 0 ? 150 : 600);
      }
    });
    console.log(`[faults-postgres] ${KILLS} rounds, ${killed} backends terminated, ${listenersKilled} of them the outbox LISTEN connection`);
    expect(killed).toBeGreaterThanOrEqual(KILLS);
    expect(listenersKilled).toBeGreaterThanOrEqual(1);
  }, 120000);
});

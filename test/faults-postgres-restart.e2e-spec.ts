import { runDatabaseFaultScenario } from './support/database-fault-scenario';
import { PrivatePostgres } from './support/private-postgres';
import { SpawnedApp } from './support/spawned-app';
import { createTestEnvironment, TestEnvironment } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RESTARTS = 3;

/**
 * A whole PostgreSQL server restarted under load, as an upgrade or a failover does: a private
 * server (never the shared one) is stopped in `fast` mode — every backend gets 57P01
 * "terminating connection due to administrator command" — left down for a moment (connections
 * are refused), and started again, several times. See runDatabaseFaultScenario for what must
 * hold afterwards.
 */
describe('fault: PostgreSQL server restarted under load', () => {
  let postgres: PrivatePostgres;
  let environment: TestEnvironment;
  let app: SpawnedApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    postgres = await PrivatePostgres.start();
    receiver = await new WebhookReceiver().start();
    environment = await createTestEnvironment({
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    const databaseUrl = await postgres.createDatabase('strata_restart');
    app = await SpawnedApp.start({ ...environment.env, DATABASE_URL: databaseUrl });
  }, 90000);
  afterAll(async () => {
    await app?.stop();
    await environment?.teardown();
    await receiver?.stop();
    await postgres?.destroy();
  });

  it('keeps running, answers 503 while the server is away, and recovers with nothing lost', async () => {
    await runDatabaseFaultScenario('faults-postgres-restart', app, receiver, environment.env.ADMIN_API_KEY, async () => {
      for (let restart = 0; restart < RESTARTS; restart++) {
        await postgres.stop('fast');
        await sleep(restart === 0 ? 1500 : 400);
        await postgres.restart();
        await sleep(700);
      }
    });
  }, 120000);
});

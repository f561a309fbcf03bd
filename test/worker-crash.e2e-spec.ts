import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { LoadGenerator } from './support/load-generator';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';
import { eventually, WebhookReceiver } from './support/webhook-receiver';

const BURST = 300;

/**
 * A worker process killed with SIGKILL in the middle of a burst loses no event: the API
 * instance only writes (role `api`), a real worker child process relays and delivers, and a
 * second worker started after the kill finishes the job, including the events of writes that
 * kept coming across the kill and while no worker ran.
 */
describe('worker killed mid-burst', () => {
  let environment: TestEnvironment;
  let api: TestApp;
  let receiver: WebhookReceiver;
  const workers: ChildProcess[] = [];

  const startWorker = () => {
    const worker = spawn(process.execPath, [join(__dirname, 'support/ts-worker-runner.js')], {
      env: { ...process.env, ...environment.env, PROCESS_ROLE: 'worker', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    // A receiver that takes a moment, so deliveries are in flight when the worker dies.
    receiver.respond = (_request, _index, response) => setTimeout(() => response.writeHead(200).end(), 5);
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', OUTBOX_POLL_INTERVAL_MS: '100', WEBHOOK_CONCURRENCY: '10' });
    api = await environment.start({ PROCESS_ROLE: 'api' });
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await environment?.teardown();
    await receiver?.stop();
  });

  it('delivers every event at least once after a SIGKILL', async () => {
    await api
      .api()
      .post('/api/v1/webhooks')
      .send({ url: receiver.url, events: ['page.created'] })
      .expect(201);
    const first = startWorker();
    // The worker is up once it delivers a ping.
    const endpoint = (await api.api().get('/api/v1/webhooks').expect(200)).body.data[0];
    await api.api().post(`/api/v1/webhooks/${endpoint.id}/test`).expect(202);
    await eventually(() => receiver.ofType('webhook.ping').length > 0, 'the first worker to deliver a ping', 60000);

    for (let offset = 0; offset < BURST; offset += 100) {
      const operations = Array.from({ length: 100 }, (_, index) => ({ op: 'create', data: { slug: `burst-${offset + index}`, title: 'B' } }));
      await api.api().post('/api/v1/pages/batch').send({ operations }).expect(200);
    }
    await eventually(() => receiver.ofType('page.created').length >= 20, 'some deliveries before the kill', 60000);
    // Writes keep coming across the kill (and while no worker runs): their events must not be lost either.
    const { port } = (await api.app.listen(0, '127.0.0.1'), api.app.getHttpServer().address() as AddressInfo);
    const writes = new LoadGenerator(
      `http://127.0.0.1:${port}`,
      { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` },
      (n) => ({
        name: 'write',
        method: 'POST',
        path: '/api/v1/pages',
        body: { slug: `during-${n}`, title: 'D' },
      }),
      { concurrency: 2 },
    ).start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const deliveredBeforeKill = new Set(receiver.ofType('page.created').map((webhook) => webhook.json.id)).size;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const duringKill = (await writes.stop()).filter((result) => result.status === 201).length;
    expect(duringKill).toBeGreaterThan(0);

    startWorker();
    const dataSource = api.app.get(DataSource);
    const expected: string[] = (await dataSource.query(`SELECT id FROM outbox_events WHERE type = 'page.created'`)).map((row: { id: string }) => row.id);
    expect(expected).toHaveLength(BURST + duringKill);
    await eventually(
      () => {
        const delivered = new Set(receiver.ofType('page.created').map((webhook) => webhook.json.id));
        return expected.every((id) => delivered.has(id));
      },
      'every event to be delivered',
      90000,
    );
    expect(deliveredBeforeKill).toBeLessThan(expected.length);
    const received = receiver.ofType('page.created').length;
    console.log(
      `[worker-crash] ${expected.length} events (${duringKill} written across the kill), ${deliveredBeforeKill} delivered before it; 0 lost, ${received - expected.length} delivered twice`,
    );
    const states = await dataSource.query(`SELECT status, count(*)::int AS count FROM webhook_deliveries WHERE event_type = 'page.created' GROUP BY status`);
    await eventually(
      async () => {
        const rows = await dataSource.query(`SELECT count(*)::int AS count FROM webhook_deliveries WHERE event_type = 'page.created' AND status = 'succeeded'`);
        return rows[0].count === expected.length;
      },
      `every delivery to be recorded as succeeded (was ${JSON.stringify(states)})`,
      30000,
    );
  }, 240000);
});

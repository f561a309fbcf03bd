import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@strata/api-keys';
import { PrivatePostgres } from '../support/private-postgres';
import { PrivateRedisCluster } from '../support/private-redis-cluster';
import { PrivateS3 } from '../support/private-s3';
import { SpawnedApp } from '../support/spawned-app';
import { uniqueSuffix } from '../support/test-infra';
import { eventually } from '../support/webhook-receiver';

const DATABASE = 'strata_scale';

/**
 * The scaled shape of the README's "Running at scale", on one machine and nothing shared with
 * other tests: a 3-master Redis Cluster (a replica each), a PostgreSQL primary with a streaming
 * replica made by pg_basebackup, an S3 server, and Strata as separate `api` and `worker`
 * processes pointed at them. Each process gets a data directory of its own, so nothing that
 * matters can pass between them through the disk.
 */
export class ScaleOutDeployment {
  readonly apis: SpawnedApp[] = [];
  readonly workers: SpawnedApp[] = [];
  /** Every process started, killed ones included (their output is kept for a failure message). */
  private readonly processes: SpawnedApp[] = [];
  private readonly dataDirs: string[] = [];

  private constructor(
    readonly cluster: PrivateRedisCluster,
    readonly primary: PrivatePostgres,
    readonly replica: PrivatePostgres,
    readonly s3: PrivateS3,
    readonly env: Record<string, string>,
  ) {}

  /** Starts the engines, then one api process (it runs the migrations), then the others at once. */
  static async start(options: { apis: number; workers: number; env: Record<string, string> }): Promise<ScaleOutDeployment> {
    const engines = await Promise.allSettled([PrivateRedisCluster.start(), PrivatePostgres.start(), PrivateS3.start()]);
    if (engines.some((engine) => engine.status === 'rejected')) {
      await Promise.all(engines.map((engine) => (engine.status === 'fulfilled' ? stopEngine(engine.value) : Promise.resolve())));
      throw (engines.find((engine) => engine.status === 'rejected') as PromiseRejectedResult).reason;
    }
    const [cluster, primary, s3] = engines.map((engine) => (engine as PromiseFulfilledResult<unknown>).value) as [
      PrivateRedisCluster,
      PrivatePostgres,
      PrivateS3,
    ];
    let databaseUrl: string;
    let replica: PrivatePostgres;
    try {
      // Created before the base backup, so the replica has it from the start.
      databaseUrl = await primary.createDatabase(DATABASE);
      replica = await primary.startReplica();
    } catch (error) {
      await Promise.all([cluster.stop(), primary.destroy(), s3.stop()]);
      throw error;
    }
    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      DATABASE_REPLICA_URLS: replica.url(DATABASE),
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: cluster.seedNodes,
      REDIS_KEY_PREFIX: `strata-scale:${uniqueSuffix()}:`,
      ...s3.env(`scale-${uniqueSuffix()}`),
      S3_REGION: 'us-east-1',
      EMBEDDED_SERVICES: 'false',
      ADMIN_API_KEY: generateApiKey(),
      // Every instance must decrypt what another encrypted (webhook secrets).
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const deployment = new ScaleOutDeployment(cluster, primary, replica, s3, env);
    try {
      deployment.apis.push(await deployment.spawn('api'));
      // The rest at once. allSettled: a process that starts after another failed is still stopped below.
      const workers = Array.from({ length: options.workers }, () => deployment.startWorker());
      const others = await Promise.allSettled(Array.from({ length: options.apis - 1 }, () => deployment.spawn('api')));
      const workersReady = await Promise.allSettled(workers);
      for (const other of [...others, ...workersReady]) if (other.status === 'rejected') throw other.reason;
      for (const other of others) deployment.apis.push((other as PromiseFulfilledResult<SpawnedApp>).value);
      return deployment;
    } catch (error) {
      await deployment.stop();
      throw error;
    }
  }

  /** One more worker process (in place of a killed one); resolves once it consumes queues. */
  async startWorker(): Promise<SpawnedApp> {
    const worker = await this.spawn('worker');
    this.workers.push(worker);
    await this.workerReady(worker);
    return worker;
  }

  /** SIGKILL: no drain, no shutdown hook; whatever the process held in flight is left as it was. */
  async kill(worker: SpawnedApp): Promise<void> {
    worker.kill('SIGKILL');
    await worker.exited;
    this.workers.splice(this.workers.indexOf(worker), 1);
  }

  /** The warnings and errors every process logged (LOG_LEVEL warn), for a failure message. */
  output(): string {
    return this.processes.map((child, index) => `--- process ${index} (port ${child.port}) ---\n${child.output()}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((child) => child.stop()));
    await this.replica.destroy();
    await this.primary.destroy();
    await this.s3.stop();
    await this.cluster.stop();
    await Promise.all(this.dataDirs.map((directory) => rm(directory, { recursive: true, force: true })));
  }

  private async spawn(role: 'api' | 'worker'): Promise<SpawnedApp> {
    const dataDir = await mkdtemp(join(tmpdir(), `strata-scale-${role}-`));
    this.dataDirs.push(dataDir);
    const child = await SpawnedApp.start({ ...this.env, PROCESS_ROLE: role, DATA_DIR: dataDir }, 120_000);
    this.processes.push(child);
    return child;
  }

  /** The banner goes straight to stdout whatever LOG_LEVEL says, once the worker consumes queues. */
  private async workerReady(worker: SpawnedApp): Promise<void> {
    await eventually(
      () => {
        if (!worker.running) throw new Error(`a worker exited during start-up:\n${worker.allOutput()}`);
        return /is ready \(role worker\)/.test(worker.allOutput());
      },
      'a worker process to be ready',
      120_000,
    );
  }
}

function stopEngine(engine: PrivateRedisCluster | PrivatePostgres | PrivateS3): Promise<void> {
  return engine instanceof PrivatePostgres ? engine.destroy() : engine.stop();
}

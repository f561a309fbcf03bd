import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { findFreePort } from '../../libs/core/src/embedded/port-probe';

const MASTER_NAME = 'strata-test';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Tries at starting on free ports (see start). */

/**
 * A Sentinel group of the test's own: one master, two replicas and three Sentinels, all
 * `redis-server` processes on free loopback ports (Sentinels as `redis-server <conf> --sentinel`,
 * so no separate redis-sentinel binary is needed). Nothing is persisted; `stop` kills them all.
 */
export class PrivateRedisSentinel {
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    private readonly directory: string,
    readonly masterName: string,
    readonly sentinelPorts: number[],
    private readonly dataPorts: number[] = [],
  ) {}

  /**
   * Starts on free ports, again on other ports if that fails: a port found free can be taken
   * before redis-server binds it (any outgoing connection on the machine may get it).
   */
  static start(): Promise<PrivateRedisSentinel> {
    return retryStart(() => PrivateRedisSentinel.startOnFreePorts());
  }

  private static async startOnFreePorts(): Promise<PrivateRedisSentinel> {
    const directory = await mkdtemp(join(tmpdir(), 'strata-sentinel-'));
    const dataPorts = [await findFreePort(), await findFreePort(), await findFreePort()];
    const sentinelPorts = [await findFreePort(), await findFreePort(), await findFreePort()];
    const group = new PrivateRedisSentinel(directory, MASTER_NAME, sentinelPorts, dataPorts);
    try {
      const [master, ...replicas] = dataPorts;
      group.spawnNode(master, []);
      for (const port of replicas) group.spawnNode(port, ['--replicaof', '127.0.0.1', String(master)]);
      for (const port of dataPorts) await waitForPing(port);
      for (const port of sentinelPorts) {
        const file = join(directory, `sentinel-${port}.conf`);
        // Sentinel rewrites its file with what it learns, so each gets its own, writable one.
        await writeFile(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${directory}`,
            `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master} 2`,
            `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
            `sentinel failover-timeout ${MASTER_NAME} 5000`,
            `sentinel parallel-syncs ${MASTER_NAME} 2`,
            '',
          ].join('\n'),
        );
        group.spawn(port, [file, '--sentinel']);
      }
      await group.waitUntilSettled(master);
      return group;
    } catch (error) {
      await group.stop();
      throw error;
    }
  }

  /** REDIS_SENTINELS for Strata. */
  get sentinels(): string {
    return this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** The port of the current master, as the Sentinels report it. */
  async masterPort(): Promise<number> {
    return withConnection(this.sentinelPorts[0], async (sentinel) => {
      const [, port] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', this.masterName)) as [string, string];
      return Number(port);
    });
  }

  /**
   * `SENTINEL FAILOVER`: a replica is promoted and the old master becomes its replica. Resolves
   * once every Sentinel names the new master and it accepts writes; answers its port.
   */
  async failover(): Promise<number> {
    const before = await this.masterPort();
    await withConnection(this.sentinelPorts[0], (sentinel) => sentinel.call('SENTINEL', 'FAILOVER', this.masterName));
    return this.waitForNewMaster(before);
  }

  /**
   * Kills the master (SIGKILL, as a crash): the Sentinels notice within a second and promote a
   * replica. Answers its port. First waits until every other data node still running replicates
   * the master (unless `whenReplicated` is false): a Sentinel failover turns the old master into a
   * replica only some seconds after it, and meanwhile it still holds its old dataset as a master
   * of its own; a crash then could promote it and lose far more than the crash itself loses.
   */
  async killMaster({ whenReplicated = true }: { whenReplicated?: boolean } = {}): Promise<number> {
    const before = await this.masterPort();
    if (whenReplicated) await this.untilReplicated(before);
    await this.kill(before);
    return this.waitForNewMaster(before);
  }

  /** The ports of the master's replicas, as the Sentinels know them (those still running). */
  async replicaPorts(): Promise<number[]> {
    const replicas = await withConnection(this.sentinelPorts[0], (sentinel) => sentinel.call('SENTINEL', 'replicas', this.masterName) as Promise<string[][]>);
    const ports = replicas.map((fields) => Number(fields[fields.indexOf('port') + 1]));
    return ports.filter((port) => this.children.has(port));
  }

  /**
   * Cuts every replica off the master's replication stream without promoting it: each is told to
   * follow a port nothing listens on, so it keeps its data and its replication id (as a replica
   * whose link is down) and gets nothing the master writes from now on, what asynchronous
   * replication loses when a master dies before it sent its last writes. The Sentinels leave a
   * replica that follows another master alone for their failover timeout (5 s) before they
   * correct it, and a replica whose link has been down less than ten times down-after-milliseconds
   * may still be promoted. Resolves once the master has no replica left; answers the replicas' ports.
   */
  async detachReplicas(): Promise<number[]> {
    const master = await this.masterPort();
    const replicas = await this.replicaPorts();
    const nowhere = await findFreePort();
    for (const port of replicas) await withConnection(port, (replica) => replica.replicaof('127.0.0.1', nowhere));
    for (let attempt = 0; attempt < 100; attempt++) {
      const info = await withConnection(master, (node) => node.info('replication'));
      if (info.includes('connected_slaves:0')) return replicas;
      await sleep(50);
    }
    throw new Error(`the replicas of 127.0.0.1:${master} did not let go of it within 5 s`);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((port) => this.kill(port)));
    await rm(this.directory, { recursive: true, force: true });
  }

  /** Until every data node still running but the master (`master`, by default the current one) is its replica with the link up. */
  async untilReplicated(master?: number): Promise<void> {
    master ??= await this.masterPort();
    const replicas = this.dataPorts.filter((port) => port !== master && this.children.has(port));
    for (let attempt = 0; attempt < 300; attempt++) {
      const linked = await Promise.all(
        replicas.map((port) =>
          withConnection(port, async (node) => {
            const info = await node.info('replication');
            return info.includes('role:slave') && info.includes(`master_port:${master}\r`) && info.includes('master_link_status:up');
          }).catch(() => false),
        ),
      );
      if (linked.every(Boolean)) return;
      await sleep(100);
    }
    throw new Error(`the replicas did not all follow 127.0.0.1:${master} within 30 s`);
  }

  private async waitForNewMaster(before: number): Promise<number> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const ports = await Promise.all(
        this.sentinelPorts.map((port) =>
          withConnection(port, async (sentinel) => {
            const [, master] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', this.masterName)) as [string, string];
            return Number(master);
          }).catch(() => before),
        ),
      );
      const after = ports[0];
      if (after !== before && ports.every((port) => port === after)) {
        const role = await withConnection(after, (node) => node.call('ROLE')).catch(() => ['unknown']);
        if ((role as string[])[0] === 'master') return after;
      }
      await sleep(100);
    }
    throw new Error('the Sentinels did not agree on a new master within 30 s');
  }

  /** Until every Sentinel knows both replicas and the two other Sentinels (a failover needs the quorum). */
  private async waitUntilSettled(master: number): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const settled = await Promise.all(
        this.sentinelPorts.map((port) =>
          withConnection(port, async (sentinel) => {
            const replicas = (await sentinel.call('SENTINEL', 'replicas', this.masterName)) as string[][];
            const peers = (await sentinel.call('SENTINEL', 'sentinels', this.masterName)) as unknown[];
            const linked = replicas.filter((fields) => fields[fields.indexOf('master-link-status') + 1] === 'ok');
            return linked.length === 2 && peers.length === 2;
          }).catch(() => false),
        ),
      );
      if (settled.every(Boolean)) return;
      await sleep(100);
    }
    throw new Error(`the Sentinel group around 127.0.0.1:${master} did not settle within 30 s`);
  }

  private spawnNode(port: number, extra: string[]): void {
    this.spawn(port, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.directory, ...extra]);
  }

  private spawn(port: number, args: string[]): void {
    this.children.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
  }

  private async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    this.children.delete(port);
    if (!child || hasExited(child)) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

async function withConnection<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

export async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await withConnection(port, (redis) => redis.ping());
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

/** A child killed by a signal has no exit code, only a signal code. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

const START_ATTEMPTS = 3;

/** `start()` again (on ports found free again) until it succeeds, at most START_ATTEMPTS times. */
export async function retryStart<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt === START_ATTEMPTS) throw error;
    }
  }
}

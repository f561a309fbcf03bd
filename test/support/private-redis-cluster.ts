import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { findFreePort } from '../../libs/core/src/embedded/port-probe';
import { hasExited, retryStart, waitForPing } from './private-redis-sentinel';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Tries at starting on free ports (see start). */

interface ClusterNode {
  port: number;
  busPort: number;
}

/**
 * A Redis Cluster of the test's own: three masters, each with one replica, as cluster-enabled
 * `redis-server` processes on free loopback ports (the cluster bus on ports of their own, so
 * no port + 10000 has to be free), joined by `redis-cli --cluster create`. Nothing persisted.
 */
export class PrivateRedisCluster {
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    private readonly directory: string,
    private readonly nodes: ClusterNode[],
  ) {}

  /**
   * Starts on free ports, again on other ports if that fails: a port found free can be taken
   * before redis-server binds it (any outgoing connection on the machine may get it).
   */
  static start(): Promise<PrivateRedisCluster> {
    return retryStart(() => PrivateRedisCluster.startOnFreePorts());
  }

  private static async startOnFreePorts(): Promise<PrivateRedisCluster> {
    const directory = await mkdtemp(join(tmpdir(), 'strata-cluster-'));
    const nodes: ClusterNode[] = [];
    for (let index = 0; index < 6; index++) nodes.push({ port: await findFreePort(), busPort: await findFreePort() });
    const cluster = new PrivateRedisCluster(directory, nodes);
    try {
      for (const node of nodes) cluster.spawnNode(node);
      for (const node of nodes) await waitForPing(node.port);
      await promisify(execFile)('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ]);
      await cluster.waitUntilConsistent();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** REDIS_CLUSTER_NODES for Strata (every node: any of them is enough to discover the rest). */
  get seedNodes(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }

  /** The ports of the current masters. */
  async masterPorts(): Promise<number[]> {
    const roles = await Promise.all(this.nodes.map(async (node) => ({ port: node.port, role: await this.role(node.port) })));
    return roles.filter(({ role }) => role === 'master').map(({ port }) => port);
  }

  /**
   * `CLUSTER FAILOVER` on the replica of the master that serves `key`'s slot (key as stored,
   * prefix included): the replica waits until it has everything the master acknowledged, then
   * takes over. Resolves once every node agrees; answers the new master's port.
   */
  async failoverMasterOf(key: string): Promise<number> {
    const slot = await withConnection(this.liveNodes()[0].port, (redis) => redis.cluster('KEYSLOT', key));
    const master = await this.ownerOf(slot);
    const replica = await this.replicaOf(master);
    await withConnection(replica, (redis) => redis.cluster('FAILOVER'));
    for (let attempt = 0; attempt < 300; attempt++) {
      if ((await this.role(replica)) === 'master' && (await this.ownerOf(slot).catch(() => 0)) === replica) {
        await this.waitUntilConsistent();
        return replica;
      }
      await sleep(100);
    }
    throw new Error(`CLUSTER FAILOVER on 127.0.0.1:${replica} did not complete within 30 s`);
  }

  /**
   * Kills the master that serves `key`'s slot (SIGKILL, as a crash; key as stored, prefix
   * included). Nothing asks its replica to take over: the other masters mark the node failed
   * after cluster-node-timeout and its replica promotes itself. Resolves once the replica serves
   * the slot and every node still running agrees; answers the new master's port.
   */
  async killMasterOf(key: string): Promise<number> {
    const slot = await withConnection(this.liveNodes()[0].port, (redis) => redis.cluster('KEYSLOT', key));
    // A master failed over a moment ago may still be syncing its replica (the old master).
    await this.waitUntilConsistent();
    const master = await this.ownerOf(slot);
    const replica = await this.replicaOf(master);
    await this.kill(master);
    for (let attempt = 0; attempt < 300; attempt++) {
      if ((await this.role(replica)) === 'master' && (await this.ownerOf(slot).catch(() => 0)) === replica) {
        await this.waitUntilConsistent();
        return replica;
      }
      await sleep(100);
    }
    throw new Error(`the replica 127.0.0.1:${replica} did not take over from the killed 127.0.0.1:${master} within 30 s`);
  }

  /** Until every running node serves the whole slot map and every replica is in sync with its master. */
  async untilConsistent(): Promise<void> {
    await this.waitUntilConsistent();
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (hasExited(child)) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    this.children.clear();
    await rm(this.directory, { recursive: true, force: true });
  }

  /** The nodes whose process still runs (not killed by killMasterOf). */
  private liveNodes(): ClusterNode[] {
    return this.nodes.filter((node) => {
      const child = this.children.get(node.port);
      return child !== undefined && !hasExited(child);
    });
  }

  private async replicaOf(master: number): Promise<number> {
    return withConnection(master, async (redis) => {
      const [, , replicas] = (await redis.call('ROLE')) as [string, number, [string, string, string][]];
      if (replicas.length === 0) throw new Error(`the master 127.0.0.1:${master} has no replica`);
      return Number(replicas[0][1]);
    });
  }

  private async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    if (!child || hasExited(child)) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** The port of the master serving `slot`, as every running node sees it (throws while they disagree). */
  private async ownerOf(slot: number): Promise<number> {
    const owners = await Promise.all(
      this.liveNodes().map((node) =>
        withConnection(node.port, async (redis) => {
          const ranges = await redis.cluster('SLOTS');
          return ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
        }),
      ),
    );
    if (owners.some((owner) => owner !== owners[0]) || owners[0] === undefined) throw new Error(`nodes disagree on the owner of slot ${slot}`);
    return owners[0];
  }

  private async role(port: number): Promise<string> {
    return withConnection(port, async (redis) => ((await redis.call('ROLE')) as string[])[0]).catch(() => 'unreachable');
  }

  /** Until every running node reports cluster_state:ok with all 16384 slots served, and every replica is in sync. */
  private async waitUntilConsistent(): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const states = await Promise.all(
        this.liveNodes().map((node) =>
          withConnection(node.port, async (redis) => {
            const info = await redis.cluster('INFO');
            const replication = await redis.info('replication');
            const linked = !replication.includes('role:slave') || replication.includes('master_link_status:up');
            return info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384') && linked;
          }).catch(() => false),
        ),
      );
      if (states.every(Boolean)) return;
      await sleep(100);
    }
    throw new Error('the private Redis Cluster did not become consistent within 30 s');
  }

  private spawnNode(node: ClusterNode): void {
    const args = ['--port', String(node.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.directory];
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${node.port}.conf`, '--cluster-port', String(node.busPort));
    args.push('--cluster-node-timeout', '2000');
    this.children.set(node.port, spawn('redis-server', args, { stdio: 'ignore' }));
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

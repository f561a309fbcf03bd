'use strict';

// The three Redis shapes Strata runs on, each of this bench's own on free loopback ports: one
// redis-server, a Sentinel group (a master, two replicas, three Sentinels) and a Cluster (three
// masters with a replica each). They are started by the scale tests' own starters
// (test/support/private-redis*.ts), loaded through test/support/ts-register.js, which transpiles
// TypeScript on require: one copy of how a Sentinel group or a Cluster is made and waited for.
const Redis = require('ioredis');
require('../../test/support/ts-register');
const { PrivateRedis } = require('../../test/support/private-redis.ts');
const { PrivateRedisCluster } = require('../../test/support/private-redis-cluster.ts');
const { PrivateRedisSentinel } = require('../../test/support/private-redis-sentinel.ts');

/**
 * @typedef {{ id: string, label: string, url: string, env: Record<string, string>,
 *   cpuMicros: () => Promise<number>, stop: () => Promise<void> }} RedisTopology
 * `env` points Strata at it; `url` is a plain connection to its (first) master, for clean-up;
 * `cpuMicros` is the CPU all its processes (replicas and Sentinels included) have used so far.
 */

/** @returns {Promise<RedisTopology>} */
async function startSingle() {
  const redis = await PrivateRedis.start();
  return withCpu({ id: 'single', label: 'single Redis', url: redis.url, env: { REDIS_URL: redis.url }, ports: [redis.port], stop: () => redis.stop() });
}

/** @returns {Promise<RedisTopology>} */
async function startSentinel() {
  const group = await PrivateRedisSentinel.start();
  const master = await group.masterPort();
  const replication = await withConnection(master, (redis) => redis.info('replication'));
  const replicas = [...replication.matchAll(/^slave\d+:.*port=(\d+)/gm)].map((match) => Number(match[1]));
  return withCpu({
    id: 'sentinel',
    label: 'Sentinel (1 master, 2 replicas, 3 Sentinels)',
    url: `redis://127.0.0.1:${master}`,
    // REDIS_URL empty: with Sentinels only its credentials would be used, and there are none.
    env: { REDIS_URL: '', REDIS_SENTINELS: group.sentinels, REDIS_SENTINEL_NAME: group.masterName },
    ports: [master, ...replicas, ...group.sentinelPorts],
    stop: () => group.stop(),
  });
}

/** @returns {Promise<RedisTopology>} */
async function startCluster() {
  const cluster = await PrivateRedisCluster.start();
  const ports = cluster.seedNodes.split(',').map((node) => Number(node.split(':')[1]));
  const [master] = await cluster.masterPorts();
  return withCpu({
    id: 'cluster',
    label: 'Cluster (3 masters, 3 replicas)',
    url: `redis://127.0.0.1:${master}`,
    env: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.seedNodes },
    ports,
    stop: () => cluster.stop(),
  });
}

const STARTERS = { single: startSingle, sentinel: startSentinel, cluster: startCluster };

/** Starts the topologies named (in that order); if one fails, stops those already started. */
async function startTopologies(ids = Object.keys(STARTERS)) {
  const started = [];
  try {
    for (const id of ids) {
      if (!STARTERS[id]) throw new Error(`unknown Redis topology "${id}" (known: ${Object.keys(STARTERS).join(', ')})`);
      started.push(await STARTERS[id]());
    }
    return started;
  } catch (error) {
    for (const topology of started) await topology.stop().catch(() => {});
    throw error;
  }
}

/**
 * Adds `cpuMicros` (from INFO cpu of every process: used_cpu_user + used_cpu_sys, which Redis
 * takes from getrusage, so it covers the whole process) over connections kept open for the run.
 */
function withCpu({ ports, stop, ...topology }) {
  const connections = ports.map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 }));
  return {
    ...topology,
    async cpuMicros() {
      const seconds = await Promise.all(
        connections.map(async (redis) => {
          if (redis.status === 'wait') await redis.connect();
          const info = await redis.info('cpu');
          return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
        }),
      );
      return seconds.reduce((sum, value) => sum + value, 0) * 1e6;
    },
    async stop() {
      for (const redis of connections) redis.disconnect();
      await stop();
    },
  };
}

async function withConnection(port, work) {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

module.exports = { startTopologies };

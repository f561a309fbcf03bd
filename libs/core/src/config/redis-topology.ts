/** A Redis node or Sentinel as `host:port`. */
export interface RedisAddress {
  host: string;
  port: number;
}

/**
 * Which Redis deployment Strata talks to. `single` is REDIS_URL (or the embedded default);
 * `sentinel` asks REDIS_SENTINELS which node is the master of REDIS_SENTINEL_NAME; `cluster`
 * discovers a Redis Cluster from any of REDIS_CLUSTER_NODES. Only core's RedisConnections
 * reads this: features never see the topology.
 */
export type RedisTopology =
  { kind: 'single' } | { kind: 'sentinel'; sentinels: RedisAddress[]; masterName: string } | { kind: 'cluster'; nodes: RedisAddress[] };

/** What REDIS_URL contributes to every node of a Sentinel group or Cluster (its host and port are not used there). */
export interface RedisCredentials {
  username?: string;
  password?: string;
  tls: boolean;
  db: number;
}

export interface RedisTopologySettings {
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
  REDIS_CLUSTER_NODES?: string;
}

/**
 * The topology from the environment. Throws one message per variable at fault, each starting
 * with the variable's name: both topologies at once, a Sentinel list without its master name
 * (or the reverse), a malformed address, or a database number on a Cluster (which has only 0).
 */
export function parseRedisTopology(env: RedisTopologySettings): RedisTopology {
  const { REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: masterName, REDIS_CLUSTER_NODES: clusterNodes } = env;
  if (sentinels !== undefined && clusterNodes !== undefined) {
    throw new Error('REDIS_SENTINELS, REDIS_CLUSTER_NODES: set one of them (a Sentinel group or a Redis Cluster), not both');
  }
  if (sentinels !== undefined) {
    if (masterName === undefined) throw new Error('REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS (the master name the Sentinels monitor)');
    return { kind: 'sentinel', sentinels: parseRedisAddresses('REDIS_SENTINELS', sentinels), masterName };
  }
  if (masterName !== undefined) throw new Error('REDIS_SENTINEL_NAME: is only used with REDIS_SENTINELS (set both, or neither)');
  if (clusterNodes !== undefined) {
    if (env.REDIS_URL !== undefined && redisCredentials(env.REDIS_URL).db !== 0) {
      throw new Error('REDIS_URL: a Redis Cluster has only database 0; remove the /db number from REDIS_URL or REDIS_CLUSTER_NODES');
    }
    return { kind: 'cluster', nodes: parseRedisAddresses('REDIS_CLUSTER_NODES', clusterNodes) };
  }
  return { kind: 'single' };
}

/** `host:port, host:port, [::1]:port`: at least one, each with a port. */
export function parseRedisAddresses(variable: string, text: string): RedisAddress[] {
  const entries = text.split(',').map((entry) => entry.trim());
  return entries.map((entry) => {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      throw new Error(`${variable}: "${entry}" is not host:port (expected a comma list such as redis-1:6379,redis-2:6379)`);
    }
    return { host: match[1] ?? match[2], port };
  });
}

/** Username, password, TLS (`rediss:`) and database number of a REDIS_URL; none when it is unset. */
export function redisCredentials(url: string | undefined): RedisCredentials {
  if (url === undefined) return { tls: false, db: 0 };
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || 0);
  return {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:',
    db: Number.isInteger(db) ? db : 0,
  };
}

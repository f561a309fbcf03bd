import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { clusterNodeConnector } from './cluster-node-connector';
import { RedisClient } from './redis-keyspace';
import { SentinelConnectorReleasingDetector } from './sentinel-connector';

/** Connection settings a caller may change; the topology and credentials come from the configuration. */
export type RedisConnectionOverrides = Omit<RedisOptions, 'host' | 'port' | 'path' | 'sentinels' | 'name' | 'username' | 'password' | 'tls' | 'db'>;

/** A node demoted to replica answers writes with READONLY: reconnect, so Sentinel names the new master. */
const reconnectOnReadonly = (error: Error) => error.message.startsWith('READONLY');

/**
 * Every Redis connection Strata opens is made here, so all share one topology, key prefix and
 * failure policy, and all are closed on shutdown. `client` is the shared command connection;
 * features that need their own ask `create()` (commands) or `createSubscriber()` (pub/sub).
 * Features never see the topology: a single node (REDIS_URL), a Sentinel-managed master
 * (REDIS_SENTINELS) or a Redis Cluster (REDIS_CLUSTER_NODES) are all made here, and the few
 * operations that differ on a Cluster (SCAN, multi-key UNLINK) are in `redis-keyspace.ts`.
 *
 * Failure policy: no offline queue and a short command timeout, so a dead Redis makes a call
 * fail within `REDIS_COMMAND_TIMEOUT_MS` instead of stalling the request; reconnection goes
 * on in the background forever.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly opened = new Set<RedisClient>();
  readonly client: RedisClient;

  constructor(private readonly config: AppConfig) {
    this.client = this.create('main');
  }

  get keyPrefix(): string {
    return this.config.redis.keyPrefix;
  }

  /**
   * BullMQ's key prefix. On a Cluster every key of a queue must share one hash slot, which
   * BullMQ's Lua scripts need: BullMQ's documentation asks for a `{…}` hash-tagged prefix there.
   * The other topologies keep the prefix queues have always had, so an upgrade finds its jobs.
   */
  get queuePrefix(): string {
    const prefix = `${this.keyPrefix}bull`;
    return this.config.redis.topology.kind === 'cluster' ? `{${prefix}}` : prefix;
  }

  /**
   * A key for the prefixed connections that lives where the queues live: in their hash slot on a
   * Cluster (so a script can read it on the queues' master), as given elsewhere.
   */
  queueSlotKey(name: string): string {
    return this.config.redis.topology.kind === 'cluster' ? `${this.queuePrefix}:${name}` : name;
  }

  /** A command connection of its own (its own timeout, pipelining or BullMQ's settings). */
  create(name: string, overrides: RedisConnectionOverrides = {}): RedisClient {
    const options = this.baseOptions(name, overrides);
    const { topology } = this.config.redis;
    const connection = topology.kind === 'cluster' ? this.cluster(topology.nodes, options) : this.node(options);
    return this.track(name, connection);
  }

  /**
   * A connection for SUBSCRIBE: always one plain connection, so `close` and `ready` mean the same
   * on every topology (a feature resubscribes, and catches up on what it may have missed, on
   * `ready`). On a Cluster it connects to one node, and to the next one when that node is lost.
   * Without a command timeout (see below).
   */
  createSubscriber(name: string, subscriberOverrides: RedisConnectionOverrides = {}): Redis {
    // A SUBSCRIBE is answered when Redis gets to it, and fails at once if the connection drops: a
    // timeout would only give up on subscriptions a busy process read the reply of too late.
    const overrides = { commandTimeout: undefined, enableAutoPipelining: false, ...subscriberOverrides };
    const { topology } = this.config.redis;
    if (topology.kind !== 'cluster') return this.create(name, overrides) as Redis;
    const { username, password, tls } = this.config.redis.credentials;
    return this.track(
      name,
      new Redis({
        ...this.baseOptions(name, overrides),
        username,
        password,
        tls: tls ? {} : undefined,
        Connector: clusterNodeConnector(topology.nodes),
      }),
    ) as Redis;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.opened].map((connection) =>
        connection.status === 'ready' ? connection.quit().catch(() => connection.disconnect()) : Promise.resolve(connection.disconnect()),
      ),
    );
  }

  private baseOptions(name: string, overrides: RedisConnectionOverrides): RedisOptions {
    return {
      keyPrefix: this.keyPrefix,
      connectionName: `strata-${this.config.role}-${name}`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: this.config.redis.commandTimeoutMs,
      connectTimeout: 2000,
      // At most half a second apart: a crashed master is replaced within seconds, and a connection
      // finds the new one only at its next attempt (2 s apart, it came back up to 2 s after the
      // promotion). An attempt is one TCP connect (with Sentinels, one question to a Sentinel too).
      retryStrategy: (attempt) => Math.min(attempt * 100, 500),
      // Commands issued in the same tick leave in one socket write: a content write's tag reads,
      // deletions and publishes, and concurrent requests' reads. On this kind of machine a socket
      // write is the largest single CPU cost of a Redis command (bench/results/mixed.md).
      enableAutoPipelining: true,
      ...overrides,
    };
  }

  /** A single node: REDIS_URL, or the master a Sentinel group names (and names again after a failover). */
  private node(options: RedisOptions): Redis {
    const { topology, url, credentials } = this.config.redis;
    if (topology.kind === 'sentinel') {
      return new Redis({
        ...options,
        sentinels: topology.sentinels,
        name: topology.masterName,
        username: credentials.username,
        password: credentials.password,
        db: credentials.db,
        tls: credentials.tls ? {} : undefined,
        enableTLSForSentinelMode: credentials.tls,
        // Told by the Sentinels' +switch-master, not only by a broken connection, that the master moved.
        failoverDetector: true,
        // ioredis' own connector, but its detector's Sentinel connections close with the connection
        // (a quit() would leave them open; see SentinelConnectorReleasingDetector). Duplicates (BullMQ's) inherit it.
        Connector: SentinelConnectorReleasingDetector,
        sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        reconnectOnError: reconnectOnReadonly,
      });
    }
    if (!url) throw new Error('REDIS_URL is not resolved; the embedded launcher runs before the app boots');
    return new Redis(url, options);
  }

  /**
   * A Redis Cluster: slots are discovered from the seed nodes and refreshed on MOVED/ASK and
   * after a failover. Offline queue and pipelining are cluster-wide settings; the rest applies
   * to each node's connection.
   */
  private cluster(nodes: { host: string; port: number }[], options: RedisOptions): Cluster {
    const { username, password, tls } = this.config.redis.credentials;
    const { keyPrefix, enableOfflineQueue, enableAutoPipelining, retryStrategy, ...perNode } = options;
    const clusterOptions: ClusterOptions = {
      keyPrefix,
      enableOfflineQueue,
      enableAutoPipelining,
      clusterRetryStrategy: retryStrategy ? (attempt) => retryStrategy(attempt) ?? null : undefined,
      slotsRefreshTimeout: 2000,
      redisOptions: { ...perNode, username, password, tls: tls ? {} : undefined },
    };
    return new Cluster(nodes, clusterOptions);
  }

  private track(name: string, connection: RedisClient): RedisClient {
    let reportedDown = false;
    connection.on('error', (error: Error) => {
      // ioredis emits an error per failed reconnect; one line per outage is enough.
      if (!reportedDown) this.logger.warn(`Redis connection "${name}" failed: ${error.message}`);
      reportedDown = true;
    });
    connection.on('ready', () => {
      if (reportedDown) this.logger.log(`Redis connection "${name}" is back`);
      reportedDown = false;
    });
    this.opened.add(connection);
    connection.once('end', () => this.opened.delete(connection));
    return connection;
  }
}

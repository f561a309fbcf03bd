import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';

/**
 * Every Redis connection Strata opens is made here, so all share one URL, key prefix and
 * failure policy, and all are closed on shutdown. `client` is the shared command connection;
 * features that need their own (subscribers, BullMQ) ask `create()`.
 *
 * Failure policy: no offline queue and a short command timeout, so a dead Redis makes a call
 * fail within `REDIS_COMMAND_TIMEOUT_MS` instead of stalling the request; reconnection goes
 * on in the background forever.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly opened = new Set<Redis>();
  readonly client: Redis;

  constructor(private readonly config: AppConfig) {
    this.client = this.create('main');
  }

  get keyPrefix(): string {
    return this.config.redis.keyPrefix;
  }

  create(name: string, overrides: RedisOptions = {}): Redis {
    const { url, keyPrefix, commandTimeoutMs } = this.config.redis;
    if (!url) throw new Error('REDIS_URL is not resolved; the embedded launcher runs before the app boots');
    const connection = new Redis(url, {
      keyPrefix,
      connectionName: `strata-${this.config.role}-${name}`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: commandTimeoutMs,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      ...overrides,
    });
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

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.opened].map((connection) =>
        connection.status === 'ready' ? connection.quit().catch(() => connection.disconnect()) : Promise.resolve(connection.disconnect()),
      ),
    );
  }
}

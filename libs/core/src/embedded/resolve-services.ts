import { join } from 'node:path';
import { Client } from 'pg';
import type { AppConfig } from '../config/app-config';
import { EMBEDDED_DATABASE, startEmbeddedPostgres } from './embedded-postgres';
import { isPortAnswering } from './port-probe';
import { findRedisServer, startRedisChild } from './redis-child';
import type { RunningService } from './service-lease';
import { StartupError } from './startup-error';

interface Address {
  host: string;
  port: number;
}

/** Where a local PostgreSQL and Redis are looked for when no URL is configured. */
export const LOCAL_SERVICES: { postgres: Address; redis: Address } = {
  postgres: { host: '127.0.0.1', port: 5432 },
  redis: { host: '127.0.0.1', port: 6379 },
};

export interface ResolvedServices {
  /** The configuration with both URLs filled in. */
  config: AppConfig;
  /** Stops what was started here (embedded PostgreSQL, redis-server child); nothing otherwise. */
  stop(): Promise<void>;
}

/**
 * The embedded defaults of PRODUCT.md §1, so a newcomer needs nothing but Node.js: an unset
 * DATABASE_URL / REDIS_URL means "the local one if it answers, else start one". Configured
 * URLs are used as given.
 */
export async function resolveServices(config: AppConfig, log: (line: string) => void, local = LOCAL_SERVICES): Promise<ResolvedServices> {
  const started: RunningService[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  try {
    // Redis first: it starts in a blink, and a missing redis-server is best reported before
    // PostgreSQL has been initialised for nothing.
    // A Sentinel group or a Cluster is configured by its own variables: nothing to start then.
    const redisUrl = config.redis.url ?? (config.redis.topology.kind === 'single' ? await resolveRedis(config, log, local.redis, started) : undefined);
    const databaseUrl = config.database.url ?? (await resolvePostgres(config, log, local.postgres, started));
    return {
      config: config.with({ database: { ...config.database, url: databaseUrl }, redis: { ...config.redis, url: redisUrl } }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function resolvePostgres(config: AppConfig, log: (line: string) => void, local: Address, started: RunningService[]): Promise<string> {
  if (await isPortAnswering(local.host, local.port)) {
    const url = `postgres://postgres@${local.host}:${local.port}/${EMBEDDED_DATABASE}`;
    await ensureDatabase(url);
    log(`DATABASE_URL is unset: using the PostgreSQL on ${local.host}:${local.port} (database "${EMBEDDED_DATABASE}")`);
    return url;
  }
  if (!config.embeddedServices) {
    throw new StartupError(`No PostgreSQL: DATABASE_URL is unset, nothing answers on ${local.host}:${local.port} and EMBEDDED_SERVICES=false.`);
  }
  const directory = join(config.dataDir, 'postgres');
  const postgres = await startEmbeddedPostgres(directory, log);
  started.push(postgres);
  log(
    `DATABASE_URL is unset and nothing answers on ${local.host}:${local.port}: ${describe(postgres, 'an embedded PostgreSQL', 'the embedded PostgreSQL')} on port ${new URL(postgres.url).port} (data in ${directory})`,
  );
  return postgres.url;
}

async function resolveRedis(config: AppConfig, log: (line: string) => void, local: Address, started: RunningService[]): Promise<string> {
  if (await isPortAnswering(local.host, local.port)) {
    log(`REDIS_URL is unset: using the Redis on ${local.host}:${local.port}`);
    return `redis://${local.host}:${local.port}`;
  }
  if (!config.embeddedServices) {
    throw new StartupError(`No Redis: REDIS_URL is unset, nothing answers on ${local.host}:${local.port} and EMBEDDED_SERVICES=false.`);
  }
  const directory = join(config.dataDir, 'redis');
  const redis = await startRedisChild(directory, findRedisServer());
  started.push(redis);
  log(
    `REDIS_URL is unset and nothing answers on ${local.host}:${local.port}: ${describe(redis, 'redis-server as a child process', 'the redis-server')} at ${redis.url} (data in ${directory})`,
  );
  return redis.url;
}

function describe(service: RunningService, started: string, existing: string): string {
  switch (service.origin) {
    case 'started':
      return `started ${started}`;
    case 'adopted':
      return `took over ${existing} that an earlier Strata process left running`;
    case 'shared':
      return `sharing ${existing} of Strata process ${service.ownerPid} (it stops when that process stops)`;
  }
}

/** Creates the `strata` database on a local server if it is missing. */
async function ensureDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } catch (error) {
    throw new StartupError(
      `A PostgreSQL answers on ${admin.host}, but user "postgres" cannot connect to it without a password or create database "${EMBEDDED_DATABASE}" there ` +
        `(${(error as Error).message}); set DATABASE_URL, e.g. postgres://USER:PASSWORD@${admin.host}/${EMBEDDED_DATABASE}.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

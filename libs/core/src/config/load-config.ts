import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from './app-config';
import { parseDurationList } from './duration-list';
import { Environment } from './environment';
import { parseRateLimitTiers, RateLimitTiers } from './rate-limit-tiers';
import { parseRedisTopology, redisCredentials, RedisTopology } from './redis-topology';
import { parseTrustProxy, TrustProxy } from './trust-proxy';

export class ConfigError extends Error {}

/**
 * Validates the environment and builds the typed configuration.
 * A bad value throws a `ConfigError` whose message names every offending variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, stdoutIsTerminal = process.stdout.isTTY === true): AppConfig {
  // Empty strings count as unset, the way shells and compose files usually mean them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = plainToInstance(Environment, present, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map(
      // The value itself is not repeated: it may be a key, a password or a URL holding one.
      (error) => `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }

  let tiers: RateLimitTiers;
  try {
    tiers = parseRateLimitTiers(parsed.RATE_LIMIT_TIERS);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  RATE_LIMIT_TIERS: ${(error as Error).message}`);
  }

  let redisTopology: RedisTopology;
  try {
    redisTopology = parseRedisTopology(parsed);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ${(error as Error).message}`);
  }

  let trustProxy: TrustProxy;
  try {
    trustProxy = parseTrustProxy(parsed.TRUST_PROXY);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  TRUST_PROXY: ${(error as Error).message}`);
  }

  if (parsed.MEDIA_PRESIGNED_DOWNLOADS && parsed.MEDIA_STORAGE !== 's3') {
    throw new ConfigError(
      'Invalid configuration:\n  MEDIA_PRESIGNED_DOWNLOADS: needs MEDIA_STORAGE=s3 (local files have no presigned URLs; see MEDIA_PUBLIC_URL)',
    );
  }

  if (parsed.DATABASE_REPLICA_URLS && !parsed.DATABASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_REPLICA_URLS: needs DATABASE_URL (the primary those servers replicate; the embedded PostgreSQL has no replicas)',
    );
  }

  const dataDir = resolve(parsed.DATA_DIR);
  const corsOrigins =
    parsed.CORS_ORIGINS.trim() === '*'
      ? '*'
      : parsed.CORS_ORIGINS.split(',')
          .map((origin) => origin.trim())
          .filter(Boolean);

  return new AppConfig({
    http: {
      port: parsed.PORT,
      host: parsed.HOST,
      corsOrigins,
      bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
      shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
      trustProxy,
      processes: parsed.API_PROCESSES === 'auto' ? availableParallelism() : Number(parsed.API_PROCESSES),
    },
    database: {
      url: parsed.DATABASE_URL,
      poolSize: parsed.DATABASE_POOL_SIZE,
      replicaUrls: (parsed.DATABASE_REPLICA_URLS ?? '')
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
      replicaMaxLagMs: parsed.DATABASE_REPLICA_MAX_LAG_MS,
    },
    redis: {
      url: parsed.REDIS_URL,
      keyPrefix: parsed.REDIS_KEY_PREFIX,
      commandTimeoutMs: parsed.REDIS_COMMAND_TIMEOUT_MS,
      topology: redisTopology,
      credentials: redisCredentials(parsed.REDIS_URL),
    },
    role: parsed.PROCESS_ROLE,
    logLevel: parsed.LOG_LEVEL,
    logFormat: parsed.LOG_FORMAT ?? (stdoutIsTerminal ? 'pretty' : 'json'),
    dataDir,
    media: {
      maxBytes: parsed.MEDIA_MAX_BYTES,
      storageDir: resolve(parsed.MEDIA_STORAGE_DIR ?? `${dataDir}/media`),
      driver: parsed.MEDIA_STORAGE,
      s3:
        parsed.MEDIA_STORAGE === 's3'
          ? {
              bucket: parsed.S3_BUCKET!,
              region: parsed.S3_REGION,
              endpoint: parsed.S3_ENDPOINT,
              forcePathStyle: parsed.S3_FORCE_PATH_STYLE,
              prefix: parsed.S3_PREFIX ? `${parsed.S3_PREFIX.replace(/\/+$/, '')}/` : '',
            }
          : undefined,
      publicUrl: parsed.MEDIA_PUBLIC_URL?.replace(/\/+$/, ''),
      presignedDownloads: parsed.MEDIA_PRESIGNED_DOWNLOADS,
    },
    metricsEnabled: parsed.METRICS_ENABLED,
    metricsToken: parsed.METRICS_TOKEN,
    embeddedServices: parsed.EMBEDDED_SERVICES,
    cache: {
      l1MaxEntries: parsed.CACHE_L1_MAX_ENTRIES,
      l1MaxBytes: parsed.CACHE_L1_MAX_BYTES,
      defaultTtlS: parsed.CACHE_DEFAULT_TTL_S,
      graceS: parsed.CACHE_GRACE_S,
    },
    webhooks: {
      retryScheduleMs: parseDurationList(parsed.WEBHOOK_RETRY_SCHEDULE),
      timeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
      allowPrivateTargets: parsed.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      concurrency: parsed.WEBHOOK_CONCURRENCY,
      attemptRetentionDays: parsed.WEBHOOK_ATTEMPT_RETENTION_DAYS,
    },
    events: {
      outboxPollIntervalMs: parsed.OUTBOX_POLL_INTERVAL_MS,
      outboxRetentionHours: parsed.OUTBOX_RETENTION_HOURS,
      replayWindow: parsed.EVENTS_REPLAY_WINDOW,
      heartbeatMs: parsed.EVENTS_HEARTBEAT_MS,
      maxSubscribers: parsed.EVENTS_MAX_SUBSCRIBERS,
      subscriberBufferBytes: parsed.EVENTS_SUBSCRIBER_BUFFER_BYTES,
      subscriberBufferEvents: parsed.EVENTS_SUBSCRIBER_BUFFER_EVENTS,
    },
    apiKeys: { adminKey: parsed.ADMIN_API_KEY, rotationGraceS: parsed.API_KEY_ROTATION_GRACE_S },
    secretsEncryptionKey: parsed.SECRETS_ENCRYPTION_KEY ? Buffer.from(parsed.SECRETS_ENCRYPTION_KEY, 'base64') : undefined,
    rateLimit: { tiers },
  } as AppConfig);
}

import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { DURATION_LIST } from './duration-list';

export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const MEDIA_STORAGE_DRIVERS = ['local', 's3'] as const;
export type MediaStorageDriver = (typeof MEDIA_STORAGE_DRIVERS)[number];

// Segments never start with a dot, so a prefix can hold no `.` or `..` segment.
const S3_KEY_PREFIX = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,15}\/?$/;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

// Reads the raw string: implicit conversion would already have turned any non-empty text into `true`.
const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  return raw === 'true' ? true : raw === 'false' ? false : raw;
};

/**
 * The environment variables Strata reads, as they arrive (strings), with their rules.
 * `loadConfig` turns a validated instance into the typed `AppConfig` the app injects.
 */
export class Environment {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @IsString()
  HOST: string = '0.0.0.0';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection string' })
  DATABASE_URL?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  /** Streaming replicas of DATABASE_URL's server that cache misses, lists, searches and graph walks may read from. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s,]+(\s*,\s*postgres(ql)?:\/\/[^\s,]+)*$/, { message: 'must be a comma list of postgres:// connection strings' })
  DATABASE_REPLICA_URLS?: string;

  /** A replica further behind the primary than this is not read from until it has caught up. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DATABASE_REPLICA_MAX_LAG_MS: number = 5000;

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// connection string' })
  REDIS_URL?: string;

  /** A Sentinel group (`host:port` list); with REDIS_SENTINEL_NAME it replaces REDIS_URL's host (see redis-topology.ts). */
  @IsOptional()
  @IsString()
  REDIS_SENTINELS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be the master name the Sentinels monitor (1-64 characters of A-Z a-z 0-9 . _ -)' })
  REDIS_SENTINEL_NAME?: string;

  /** Seed nodes of a Redis Cluster (`host:port` list); the rest of the cluster is discovered from them. */
  @IsOptional()
  @IsString()
  REDIS_CLUSTER_NODES?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 : _ . -' })
  REDIS_KEY_PREFIX: string = 'strata:';

  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(60000)
  REDIS_COMMAND_TIMEOUT_MS: number = 250;

  @IsOptional()
  @IsIn(PROCESS_ROLES)
  PROCESS_ROLE: ProcessRole = 'all';

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** Unset: `pretty` when stdout is a terminal, `json` otherwise (files, pipes, log collectors). */
  @IsOptional()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  CORS_ORIGINS: string = '*';

  /** Proxies whose X-Forwarded-For / -Proto are believed; parsed and checked by `parseTrustProxy` in loadConfig. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  TRUST_PROXY?: string;

  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  BODY_LIMIT_BYTES: number = 1024 * 1024;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5 * 1024 * 1024 * 1024)
  MEDIA_MAX_BYTES: number = 25 * 1024 * 1024;

  @IsOptional()
  @IsString()
  DATA_DIR: string = '.data';

  @IsOptional()
  @IsString()
  MEDIA_STORAGE_DIR?: string;

  /** Where media files live: `local` (MEDIA_STORAGE_DIR) or `s3` (S3_BUCKET on any S3-compatible service). */
  @IsOptional()
  @IsIn(MEDIA_STORAGE_DRIVERS)
  MEDIA_STORAGE: MediaStorageDriver = 'local';

  @ValidateIf((env: Environment) => env.MEDIA_STORAGE === 's3' || env.S3_BUCKET !== undefined)
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    message: 'is required with MEDIA_STORAGE=s3: the name of an existing bucket (3-63 characters of a-z 0-9 . -)',
  })
  S3_BUCKET?: string;

  @IsOptional()
  @Matches(/^[a-z0-9-]{1,32}$/, { message: 'must be a region name such as us-east-1 (or auto for R2)' })
  S3_REGION: string = 'us-east-1';

  /** For S3-compatible services (MinIO, R2, Ceph...); unset means AWS S3 itself. */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'must be an http:// or https:// URL' })
  S3_ENDPOINT?: string;

  /** `bucket` in the path instead of the host name, as MinIO and most self-hosted services need. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  S3_FORCE_PATH_STYLE: boolean = false;

  /** Keys are stored under this prefix (a `/` is added), so several deployments can share a bucket. */
  @IsOptional()
  @Matches(S3_KEY_PREFIX, { message: 'must be path segments of A-Z a-z 0-9 . _ - joined by /, none starting with a dot' })
  S3_PREFIX?: string;

  /** When set, downloads answer a redirect to `${MEDIA_PUBLIC_URL}/${key}` (a CDN or a public bucket) instead of streaming. */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'must be an http:// or https:// URL' })
  MEDIA_PUBLIC_URL?: string;

  /** With MEDIA_STORAGE=s3 and no MEDIA_PUBLIC_URL: downloads answer a redirect to a presigned GET URL of the object (a private bucket). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  MEDIA_PRESIGNED_DOWNLOADS: boolean = false;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600000)
  SHUTDOWN_GRACE_MS: number = 10000;

  /** HTTP processes on one port (roles `all` and `api`): a number, or `auto` for one per core. */
  @IsOptional()
  @Matches(/^(auto|[1-9][0-9]?)$/, { message: 'must be auto or a number of processes from 1 to 99' })
  API_PROCESSES: string = '1';

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  METRICS_ENABLED: boolean = true;

  /** When set, /metrics answers only `Authorization: Bearer <token>` (Prometheus' `authorization` scrape option). */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,256}$/, { message: 'must be 16-256 printable characters without spaces' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  EMBEDDED_SERVICES: boolean = true;

  /** L1 (in-process) cache bounds: it never holds more entries or bytes than these. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  CACHE_L1_MAX_ENTRIES: number = 10_000;

  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(8 * 1024 * 1024 * 1024)
  CACHE_L1_MAX_BYTES: number = 64 * 1024 * 1024;

  /** How long a cached value is fresh. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30 * 86400)
  CACHE_DEFAULT_TTL_S: number = 60;

  /** How long past its TTL a value may still be served while it refreshes, or while its source fails. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 86400)
  CACHE_GRACE_S: number = 300;

  @IsOptional()
  @Matches(DURATION_LIST, { message: 'must be a comma list of durations such as 5s,5m,30m,2h' })
  WEBHOOK_RETRY_SCHEDULE: string = '5s,5m,30m,2h,5h,10h,10h';

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120000)
  WEBHOOK_TIMEOUT_MS: number = 10000;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_TARGETS: boolean = false;

  /** Deliveries one worker process runs at once. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_CONCURRENCY: number = 50;

  /** Days the delivery log (finished deliveries and their attempts) is kept. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  WEBHOOK_ATTEMPT_RETENTION_DAYS: number = 30;

  /** How often the relay looks for outbox rows when no write has woken it. */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(60000)
  OUTBOX_POLL_INTERVAL_MS: number = 500;

  /** Relayed outbox rows are kept this long (for audits and re-drives), then pruned. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  OUTBOX_RETENTION_HOURS: number = 72;

  /** Events kept in Redis for SSE `Last-Event-ID` resume. */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(100000)
  EVENTS_REPLAY_WINDOW: number = 1000;

  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(300000)
  EVENTS_HEARTBEAT_MS: number = 15000;

  /** Live-event subscribers (SSE and WebSocket) one instance serves; past it a new one gets a 503. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000000)
  EVENTS_MAX_SUBSCRIBERS: number = 10000;

  /**
   * What one subscriber may have waiting for its socket before it is disconnected as too slow;
   * a burst of writes (a batch) must fit. Frames are shared by all subscribers, so this bounds
   * what one slow subscriber can keep alive, not a copy per subscriber.
   */
  @IsOptional()
  @IsInt()
  @Min(16 * 1024)
  @Max(64 * 1024 * 1024)
  EVENTS_SUBSCRIBER_BUFFER_BYTES: number = 1024 * 1024;

  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(100000)
  EVENTS_SUBSCRIBER_BUFFER_EVENTS: number = 1000;

  @IsOptional()
  @Matches(/^sk_[A-Za-z0-9]{32,128}$/, { message: 'must be sk_ followed by 32-128 characters of A-Z a-z 0-9' })
  ADMIN_API_KEY?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 86400)
  API_KEY_ROTATION_GRACE_S: number = 86400;

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 random bytes in base64 (openssl rand -base64 32)' })
  SECRETS_ENCRYPTION_KEY?: string;

  /** Inline JSON or a file path; parsed and checked by `parseRateLimitTiers` in loadConfig. */
  @IsOptional()
  @IsString()
  RATE_LIMIT_TIERS?: string;
}

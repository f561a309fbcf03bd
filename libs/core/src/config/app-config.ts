import type { LogFormat, LogLevel, MediaStorageDriver, ProcessRole } from './environment';
import type { RateLimitTiers } from './rate-limit-tiers';
import type { RedisCredentials, RedisTopology } from './redis-topology';
import type { TrustProxy } from './trust-proxy';

/**
 * The typed configuration every module injects. Built once by `loadConfig` from the
 * environment; nothing else in Strata reads `process.env`.
 */
export class AppConfig {
  readonly http: {
    port: number;
    host: string;
    corsOrigins: string[] | '*';
    bodyLimitBytes: number;
    shutdownGraceMs: number;
    /** TRUST_PROXY as Fastify's `trustProxy`: whose X-Forwarded-* headers set request.ip and request.protocol. */
    trustProxy: TrustProxy;
    /** API_PROCESSES: how many processes serve HTTP on the port (`auto`: one per core). */
    processes: number;
  };
  readonly database: {
    url?: string;
    poolSize: number;
    /** DATABASE_REPLICA_URLS: read replicas (none: every read goes to `url`). */
    replicaUrls: string[];
    /** DATABASE_REPLICA_MAX_LAG_MS: a replica further behind is skipped. */
    replicaMaxLagMs: number;
  };
  readonly redis: {
    /** REDIS_URL: the one node of a `single` topology; for Sentinel and Cluster only its `credentials` are used. */
    url?: string;
    keyPrefix: string;
    commandTimeoutMs: number;
    topology: RedisTopology;
    credentials: RedisCredentials;
  };
  readonly role: ProcessRole;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly dataDir: string;
  readonly media: {
    maxBytes: number;
    storageDir: string;
    driver: MediaStorageDriver;
    /** Set when `driver` is `s3`; credentials come from the AWS SDK's own chain (AWS_ACCESS_KEY_ID, profiles, roles). */
    s3?: { bucket: string; region: string; endpoint?: string; forcePathStyle: boolean; prefix: string };
    /** MEDIA_PUBLIC_URL without a trailing slash. */
    publicUrl?: string;
    /** MEDIA_PRESIGNED_DOWNLOADS: redirect downloads to presigned S3 GET URLs. */
    presignedDownloads: boolean;
  };
  readonly metricsEnabled: boolean;
  /** The bearer token /metrics requires; public when unset. */
  readonly metricsToken?: string;
  /** When DATABASE_URL / REDIS_URL are unset and nothing answers locally, start embedded ones. */
  readonly embeddedServices: boolean;
  readonly cache: { l1MaxEntries: number; l1MaxBytes: number; defaultTtlS: number; graceS: number };
  readonly webhooks: {
    retryScheduleMs: number[];
    timeoutMs: number;
    allowPrivateTargets: boolean;
    concurrency: number;
    /** WEBHOOK_ATTEMPT_RETENTION_DAYS: finished deliveries and attempts older than this are pruned. */
    attemptRetentionDays: number;
  };
  readonly events: {
    outboxPollIntervalMs: number;
    outboxRetentionHours: number;
    replayWindow: number;
    heartbeatMs: number;
    /** EVENTS_MAX_SUBSCRIBERS: live-event subscribers per instance. */
    maxSubscribers: number;
    /** A subscriber's buffer, in bytes and in events, before it is disconnected as too slow. */
    subscriberBufferBytes: number;
    subscriberBufferEvents: number;
  };
  /** ADMIN_API_KEY (accepted with every scope) and how long a rotated key stays valid. */
  readonly apiKeys: { adminKey?: string; rotationGraceS: number };
  /** Encrypts stored secrets that must be read back (webhook signing secrets); see SecretBox. */
  readonly secretsEncryptionKey?: Buffer;
  readonly rateLimit: { tiers: RateLimitTiers };

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }

  /** A copy with the given parts replaced (used once the embedded services have resolved URLs). */
  with(changes: Partial<AppConfig>): AppConfig {
    return new AppConfig({ ...this, ...changes });
  }
}

import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from './app-config';
import { Environment } from './environment';

export class ConfigError extends Error {}

/**
 * Validates the environment and builds the typed configuration.
 * A bad value throws a `ConfigError` whose message names every offending variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, the way shells and compose files usually mean them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = plainToInstance(Environment, present, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (error) => `${error.property}=${JSON.stringify(env[error.property])}: ${Object.values(error.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }

  const dataDir = resolve(parsed.DATA_DIR);
  const corsOrigins = parsed.CORS_ORIGINS.trim() === '*'
    ? '*'
    : parsed.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean);

  return new AppConfig({
    http: {
      port: parsed.PORT,
      host: parsed.HOST,
      corsOrigins,
      bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
      shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    },
    database: { url: parsed.DATABASE_URL, poolSize: parsed.DATABASE_POOL_SIZE },
    redis: { url: parsed.REDIS_URL, keyPrefix: parsed.REDIS_KEY_PREFIX, commandTimeoutMs: parsed.REDIS_COMMAND_TIMEOUT_MS },
    role: parsed.PROCESS_ROLE,
    logLevel: parsed.LOG_LEVEL,
    dataDir,
    media: { maxBytes: parsed.MEDIA_MAX_BYTES, storageDir: resolve(parsed.MEDIA_STORAGE_DIR ?? `${dataDir}/media`) },
    metricsEnabled: parsed.METRICS_ENABLED,
    embeddedServices: parsed.EMBEDDED_SERVICES,
  } as AppConfig);
}

import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
  @IsOptional() @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  @IsOptional() @IsString()
  HOST: string = '0.0.0.0';

  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection string' })
  DATABASE_URL?: string;

  @IsOptional() @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  @IsOptional() @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// connection string' })
  REDIS_URL?: string;

  @IsOptional() @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 : _ . -' })
  REDIS_KEY_PREFIX: string = 'strata:';

  @IsOptional() @IsInt() @Min(10) @Max(60000)
  REDIS_COMMAND_TIMEOUT_MS: number = 250;

  @IsOptional() @IsIn(PROCESS_ROLES)
  PROCESS_ROLE: ProcessRole = 'all';

  @IsOptional() @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @IsOptional() @IsString() @MaxLength(2000)
  CORS_ORIGINS: string = '*';

  @IsOptional() @IsInt() @Min(1024) @Max(100 * 1024 * 1024)
  BODY_LIMIT_BYTES: number = 1024 * 1024;

  @IsOptional() @IsInt() @Min(1) @Max(5 * 1024 * 1024 * 1024)
  MEDIA_MAX_BYTES: number = 25 * 1024 * 1024;

  @IsOptional() @IsString()
  DATA_DIR: string = '.data';

  @IsOptional() @IsString()
  MEDIA_STORAGE_DIR?: string;

  @IsOptional() @IsInt() @Min(0) @Max(600000)
  SHUTDOWN_GRACE_MS: number = 10000;

  @IsOptional() @Transform(toBoolean) @IsBoolean()
  METRICS_ENABLED: boolean = true;

  @IsOptional() @Transform(toBoolean) @IsBoolean()
  EMBEDDED_SERVICES: boolean = true;
}

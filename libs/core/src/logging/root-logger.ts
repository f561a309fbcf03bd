import pino, { type Logger as PinoInstance } from 'pino';
import type { AppConfig } from '../config/app-config';

/** The process's one pino instance: Nest's logger, the access log and every module write to it. */
export const ROOT_LOGGER = Symbol('strata.root-logger');
export type RootLogger = PinoInstance;

/** Lines that would otherwise carry a secret; pino replaces their values. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createRootLogger(config: AppConfig): RootLogger {
  return pino({ level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

import pino, { type Logger as PinoInstance } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import type { AppConfig } from '../config/app-config';

/** The process's one pino instance: Nest's logger, the access log and every module write to it. */
export const ROOT_LOGGER = Symbol('strata.root-logger');
export type RootLogger = PinoInstance;

/** Lines that would otherwise carry a secret; pino replaces their values. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/**
 * JSON lines for collectors, or (LOG_FORMAT=pretty, the default on a terminal) one readable
 * line per entry. The pretty stream runs in this thread and writes synchronously, unlike a
 * pino transport's worker, so the last lines before an exit are never lost; it costs CPU per
 * line, which matters only under load, where output is rarely a terminal. Colours only when
 * stdout supports them.
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel' | 'logFormat'>): RootLogger {
  const options = { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (config.logFormat === 'json') return pino(options);
  return pino(
    options,
    prettyStream({
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
    }),
  );
}

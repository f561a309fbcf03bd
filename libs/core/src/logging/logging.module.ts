import { Global, Module } from '@nestjs/common';
import { Logger, PARAMS_PROVIDER_TOKEN, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger, ROOT_LOGGER, RootLogger } from './root-logger';

/**
 * Nest's logger (nestjs-pino's `Logger`) over the root pino instance. nestjs-pino's
 * LoggerModule is not imported: it always adds pino-http as a Nest middleware, and requests
 * are logged by a Fastify hook instead (access-log.ts).
 */
@Global()
@Module({
  providers: [
    { provide: ROOT_LOGGER, inject: [AppConfig], useFactory: createRootLogger },
    { provide: PARAMS_PROVIDER_TOKEN, inject: [ROOT_LOGGER], useFactory: (logger: RootLogger) => ({ pinoHttp: { logger } }) },
    PinoLogger,
    Logger,
  ],
  exports: [ROOT_LOGGER, Logger],
})
export class LoggingModule {}

import { DynamicModule, Global, Module } from '@nestjs/common';
import { Logger, PARAMS_PROVIDER_TOKEN, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { StrataNestLogger } from './nest-logger';
import { createRootLogger, ROOT_LOGGER, RootLogger } from './root-logger';

/**
 * Nest's logger (nestjs-pino's `Logger`, as StrataNestLogger) over the root pino instance.
 * nestjs-pino's LoggerModule is not imported: it always adds pino-http as a Nest middleware,
 * and requests are logged by a Fastify hook instead (access-log.ts).
 */
@Global()
@Module({})
export class LoggingModule {
  /** `logger`: the root logger when the caller already made one (start.ts logs before the app exists). */
  static forRoot(logger?: RootLogger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        logger ? { provide: ROOT_LOGGER, useValue: logger } : { provide: ROOT_LOGGER, inject: [AppConfig], useFactory: createRootLogger },
        { provide: PARAMS_PROVIDER_TOKEN, inject: [ROOT_LOGGER], useFactory: (root: RootLogger) => ({ pinoHttp: { logger: root } }) },
        PinoLogger,
        { provide: Logger, useClass: StrataNestLogger },
      ],
      exports: [ROOT_LOGGER, Logger],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { ContentModule } from '@strata/content';
import { AppConfig, CoreModule } from '@strata/core';
import { HealthModule } from '@strata/health';
import { migrations } from '../migrations';

/** Feature modules every role loads (services other modules inject). */
const sharedModules = [ContentModule];
/** Feature modules that serve HTTP (controllers, guards). */
const httpModules = [HealthModule];
/** Feature modules that consume queues and run background work. */
const workerModules: DynamicModule['imports'] = [];

/**
 * The whole application, shaped by its role: `api` serves HTTP, `worker` consumes queues,
 * `all` (what `npm start` runs) does both in one process.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({ config, migrations }),
        ...sharedModules,
        ...(config.role !== 'worker' ? httpModules : []),
        ...(config.role !== 'api' ? (workerModules ?? []) : []),
      ],
    };
  }
}

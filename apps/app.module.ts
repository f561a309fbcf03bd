import { DynamicModule, Module } from '@nestjs/common';
import { ContentModule } from '@strata/content';
import { AppConfig, CoreModule } from '@strata/core';
import { HealthModule } from '@strata/health';
import { migrations } from '../migrations';

/**
 * The whole application, shaped by its role: `api` serves HTTP, `worker` consumes queues,
 * `all` (what `npm start` runs) does both in one process.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const serveHttp = config.role !== 'worker';
    return {
      module: AppModule,
      imports: [CoreModule.forRoot({ config, migrations }), ...(serveHttp ? [HealthModule, ContentModule] : [])],
    };
  }
}

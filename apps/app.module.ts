import { DynamicModule, Module } from '@nestjs/common';
import { CacheModule } from '@strata/cache';
import { ContentModule } from '@strata/content';
import { ApiKeysModule, ApiKeyUsageModule } from '@strata/api-keys';
import { AppConfig, CoreModule, RootLogger } from '@strata/core';
import { EventsModule, LiveEventsModule, OutboxRelayModule } from '@strata/events';
import { HealthModule } from '@strata/health';
import { RelationshipsModule } from '@strata/relationships';
import { WebhooksModule, WebhooksWorkerModule } from '@strata/webhooks';
import { migrations } from '../migrations';

/** Feature modules every role loads (services other modules inject). */
const sharedModules = [CacheModule, ContentModule, EventsModule, RelationshipsModule];
/** Feature modules that serve HTTP (controllers, guards). */
const httpModules = [HealthModule, LiveEventsModule, ApiKeysModule, WebhooksModule];
/** Feature modules that consume queues and run background work. */
const workerModules: DynamicModule['imports'] = [OutboxRelayModule, ApiKeyUsageModule, WebhooksWorkerModule];

/**
 * The whole application, shaped by its role: `api` serves HTTP, `worker` consumes queues,
 * `all` (what `npm start` runs) does both in one process.
 */
@Module({})
export class AppModule {
  /** `logger`: the process's root logger, when start.ts made it before the app (startup lines). */
  static forRoot(config: AppConfig, logger?: RootLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({ config, migrations, logger }),
        ...sharedModules,
        ...(config.role !== 'worker' ? httpModules : []),
        ...(config.role !== 'api' ? (workerModules ?? []) : []),
      ],
    };
  }
}

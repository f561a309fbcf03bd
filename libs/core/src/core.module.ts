import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import type { MigrationClasses } from './database/postgres-options';
import { LoggingModule } from './logging/logging.module';
import type { RootLogger } from './logging/root-logger';
import { MetricsService } from './metrics/metrics.service';
import { SecretBox } from './crypto/secret-box';
import { secretBoxProvider } from './crypto/secret-box.provider';
import { RedisModule } from './redis/redis.module';

export interface CoreModuleOptions {
  config: AppConfig;
  migrations: MigrationClasses;
  /** The process's root logger when the caller made it already; otherwise made from `config`. */
  logger?: RootLogger;
}

/** Infrastructure created once and injected everywhere: config, logging, database, Redis, metrics. */
@Global()
@Module({})
export class CoreModule {
  static forRoot({ config, migrations, logger }: CoreModuleOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(logger), DatabaseModule.forRoot(migrations), RedisModule],
      providers: [MetricsService, secretBoxProvider],
      exports: [MetricsService, SecretBox],
    };
  }
}

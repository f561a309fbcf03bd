import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { MigrationClasses, postgresOptions } from './postgres-options';
import { ReadConnections } from './read-connections';

/**
 * The one TypeORM data source (the primary), and `ReadConnections` for reads that may run on a
 * replica. Migrations are passed in by the app (they live in
 * `migrations/`, outside any library) and run at boot, before the app serves.
 */
@Module({})
export class DatabaseModule {
  static forRoot(migrations: MigrationClasses): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [ReadConnections],
      exports: [ReadConnections],
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            ...postgresOptions(config, migrations),
            autoLoadEntities: true,
            migrationsRun: true,
            retryAttempts: 10,
            retryDelay: 1000,
          }),
        }),
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { MigrationClasses, postgresOptions } from './postgres-options';

/**
 * The one TypeORM data source. Migrations are passed in by the app (they live in
 * `migrations/`, outside any library) and run at boot, before the app serves.
 */
@Module({})
export class DatabaseModule {
  static forRoot(migrations: MigrationClasses): DynamicModule {
    return {
      module: DatabaseModule,
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

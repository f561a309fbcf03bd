import type { DataSourceOptions, MigrationInterface, MixedList } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import type { Client } from 'pg';
import { sendMarkedStatementsPrepared } from './prepared-statements';
import { keepConnectionErrorsHandled } from './stray-connection-errors';

/** Connection options shared by the app's data source and the migration CLI's. */
/** Migration classes, as TypeORM takes them. */
export type MigrationClasses = MixedList<new () => MigrationInterface>;

export function postgresOptions(config: AppConfig, migrations: MigrationClasses): DataSourceOptions {
  if (!config.database.url) throw new Error('DATABASE_URL is not resolved; the embedded launcher runs before the app boots');
  return {
    type: 'postgres',
    url: config.database.url,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Query errors are not logged here: TypeORM would print their parameters (content, later
    // secrets). The problem filter logs unexpected errors without them.
    logging: ['migration'],
    extra: {
      max: config.database.poolSize,
      // Fail fast instead of queueing forever when PostgreSQL is gone; the filter answers 503.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: 15000,
      application_name: `strata-${config.role}`,
      onConnect: (client: Client) => {
        keepConnectionErrorsHandled(client);
        sendMarkedStatementsPrepared(client);
      },
      // Queries written without waiting for the previous reply: what lets a content write's
      // BEGIN, statement, outbox row and COMMIT leave in two socket writes (pipelined-transaction.ts).
      // Used one at a time, as TypeORM does, a client behaves as without it.
      pipeline: true,
    },
  };
}

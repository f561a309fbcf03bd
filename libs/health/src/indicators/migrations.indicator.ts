import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource, MigrationExecutor } from 'typeorm';
import { withTimeout } from '../with-timeout';

const READ_TIMEOUT_MS = 1000;

/**
 * Every migration this build knows has been applied to the database. Migrations run at boot,
 * so a pending one means the schema was changed or restored behind this instance's back, and
 * its queries may fail: the instance must leave the load balancer.
 */
@Injectable()
export class MigrationsIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    let pending: string[];
    try {
      // Not DataSource.showMigrations(): it creates the migrations table when missing and
      // keeps its connection when a query fails; this only reads, and always releases it.
      const migrations = await withTimeout(new MigrationExecutor(this.dataSource).getPendingMigrations(), READ_TIMEOUT_MS);
      pending = migrations.map((migration) => migration.name);
    } catch {
      // The error may carry the database's name or address; /health is public.
      return indicator.down({ message: 'could not read the migrations table' });
    }
    return pending.length > 0 ? indicator.down({ message: 'migrations are pending', pending }) : indicator.up();
  }
}

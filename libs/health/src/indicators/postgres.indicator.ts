import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

/** Long enough for a loaded database, short enough that a probe never waits on the pool's 5 s connect timeout. */
const PING_TIMEOUT_MS = 1000;

/** PostgreSQL answers a `SELECT 1` through the app's own pool. */
@Injectable()
export class PostgresIndicator {
  constructor(
    private readonly typeOrm: TypeOrmHealthIndicator,
    private readonly dataSource: DataSource,
  ) {}

  check(key: string): Promise<HealthIndicatorResult> {
    return this.typeOrm.pingCheck(key, { connection: this.dataSource, timeout: PING_TIMEOUT_MS });
  }
}

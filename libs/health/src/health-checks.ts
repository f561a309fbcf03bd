import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { DiskIndicator } from './indicators/disk.indicator';
import { MemoryIndicator } from './indicators/memory.indicator';
import { MigrationsIndicator } from './indicators/migrations.indicator';
import { PostgresIndicator } from './indicators/postgres.indicator';
import { RedisIndicator } from './indicators/redis.indicator';

export interface HealthCheck {
  /** The name it answers under in `info`, `error` and `details`. */
  key: string;
  /** Down means this instance cannot serve: readiness answers 503. A non-critical check only degrades it. */
  critical: boolean;
  /** Also asked by GET /health/ready (what load balancers probe), not only by GET /health. */
  readiness: boolean;
  run(key: string): Promise<HealthIndicatorResult>;
}

/** Every health check of this instance; adding an indicator is one more line in `all`. */
@Injectable()
export class HealthChecks {
  readonly all: readonly HealthCheck[];

  constructor(postgres: PostgresIndicator, migrations: MigrationsIndicator, redis: RedisIndicator, memory: MemoryIndicator, disk: DiskIndicator) {
    this.all = [
      { key: 'postgres', critical: true, readiness: true, run: (key) => postgres.check(key) },
      { key: 'migrations', critical: true, readiness: true, run: (key) => migrations.check(key) },
      // Without Redis, reads come from L1 and the database and events wait in the outbox.
      { key: 'redis', critical: false, readiness: true, run: (key) => redis.check(key) },
      { key: 'memory_heap', critical: false, readiness: false, run: (key) => memory.checkHeap(key) },
      { key: 'memory_rss', critical: false, readiness: false, run: (key) => memory.checkRss(key) },
      { key: 'disk', critical: false, readiness: false, run: (key) => disk.check(key) },
    ];
  }
}

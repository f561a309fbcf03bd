import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { CacheIndicator } from './indicators/cache.indicator';
import { DiskIndicator } from './indicators/disk.indicator';
import { MemoryIndicator } from './indicators/memory.indicator';
import { MigrationsIndicator } from './indicators/migrations.indicator';
import { PostgresIndicator } from './indicators/postgres.indicator';
import { QueueIndicator } from './indicators/queue.indicator';
import { RedisIndicator } from './indicators/redis.indicator';
import { ReplicasIndicator } from './indicators/replicas.indicator';

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

  constructor(
    postgres: PostgresIndicator,
    migrations: MigrationsIndicator,
    redis: RedisIndicator,
    memory: MemoryIndicator,
    disk: DiskIndicator,
    cache: CacheIndicator,
    queue: QueueIndicator,
    replicas: ReplicasIndicator,
  ) {
    this.all = [
      { key: 'postgres', critical: true, readiness: true, run: (key) => postgres.check(key) },
      { key: 'migrations', critical: true, readiness: true, run: (key) => migrations.check(key) },
      // Without Redis, reads come from L1 and the database and events wait in the outbox.
      { key: 'redis', critical: false, readiness: true, run: (key) => redis.check(key) },
      { key: 'memory_heap', critical: false, readiness: false, run: (key) => Promise.resolve(memory.checkHeap(key)) },
      { key: 'memory_rss', critical: false, readiness: false, run: (key) => Promise.resolve(memory.checkRss(key)) },
      { key: 'disk', critical: false, readiness: false, run: (key) => disk.check(key) },
      // Down while the cache runs on L1 and the database alone: degraded, never a reason to leave the load balancer.
      { key: 'cache', critical: false, readiness: false, run: (key) => Promise.resolve(cache.check(key)) },
      // Events wait in the outbox while the worker or Redis is away: degraded, never a reason to leave the load balancer.
      { key: 'queue', critical: false, readiness: false, run: (key) => queue.check(key) },
      // Only with DATABASE_REPLICA_URLS. Their reads go to the primary while they are away: degraded, never a reason to leave the load balancer.
      ...(replicas.configured ? [{ key: 'replicas', critical: false, readiness: false, run: (key: string) => Promise.resolve(replicas.check(key)) }] : []),
    ];
  }
}

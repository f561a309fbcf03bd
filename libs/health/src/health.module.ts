import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventsModule } from '@strata/events';
import { HealthChecks } from './health-checks';
import { HealthStatusRecorder } from './health-status.recorder';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { CacheIndicator } from './indicators/cache.indicator';
import { DiskIndicator } from './indicators/disk.indicator';
import { MemoryIndicator } from './indicators/memory.indicator';
import { MigrationsIndicator } from './indicators/migrations.indicator';
import { PostgresIndicator } from './indicators/postgres.indicator';
import { QueueIndicator } from './indicators/queue.indicator';
import { RedisIndicator } from './indicators/redis.indicator';
import { ReplicasIndicator } from './indicators/replicas.indicator';
import { MetricsController } from './metrics.controller';

/** GET /health, /health/live, /health/ready and /metrics. */
@Module({
  // Terminus would log an error on every probe while anything is down, degraded included;
  // HealthStatusRecorder logs each indicator's changes once instead.
  imports: [TerminusModule.forRoot({ logger: false }), EventsModule],
  controllers: [HealthController, MetricsController],
  providers: [
    HealthService,
    HealthChecks,
    HealthStatusRecorder,
    PostgresIndicator,
    MigrationsIndicator,
    RedisIndicator,
    MemoryIndicator,
    DiskIndicator,
    CacheIndicator,
    QueueIndicator,
    ReplicasIndicator,
  ],
})
export class HealthModule {}

import { Injectable, Logger } from '@nestjs/common';
import type { HealthIndicatorResult, HealthIndicatorStatus } from '@nestjs/terminus';
import { MetricsService } from '@strata/core';
import { Gauge } from 'prom-client';

/**
 * Keeps what the last health check saw: a `strata_health_status{indicator}` gauge for alerting,
 * and one log line when an indicator goes down or comes back (not one per probe).
 */
@Injectable()
export class HealthStatusRecorder {
  private readonly logger = new Logger('Health');
  private readonly lastStatus = new Map<string, HealthIndicatorStatus>();
  private readonly gauge: Gauge<'indicator'>;

  constructor(metrics: MetricsService) {
    this.gauge = new Gauge({
      name: 'strata_health_status',
      help: 'State of each health indicator at its last check (1 up, 0 down)',
      labelNames: ['indicator'] as const,
      registers: [metrics.registry],
    });
  }

  record(details: HealthIndicatorResult): void {
    for (const [indicator, { status, ...data }] of Object.entries(details)) {
      this.gauge.set({ indicator }, status === 'up' ? 1 : 0);
      const previous = this.lastStatus.get(indicator);
      this.lastStatus.set(indicator, status);
      if (status === 'down' && previous !== 'down') this.logger.warn({ indicator, ...data }, `Health indicator "${indicator}" is down`);
      if (status === 'up' && previous === 'down') this.logger.log(`Health indicator "${indicator}" is up again`);
    }
  }
}

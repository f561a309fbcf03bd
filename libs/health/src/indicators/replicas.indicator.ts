import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ReadConnections } from '@strata/core';

/**
 * The read replicas (DATABASE_REPLICA_URLS), by position: down as soon as one is not read from
 * (unreachable, not a replica, or behind by more than DATABASE_REPLICA_MAX_LAG_MS). Never
 * critical: its reads go to the primary meanwhile, so the instance only runs degraded.
 */
@Injectable()
export class ReplicasIndicator {
  constructor(
    private readonly reads: ReadConnections,
    private readonly indicators: HealthIndicatorService,
  ) {}

  get configured(): boolean {
    return this.reads.replicated;
  }

  check(key: string): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const replicas = this.reads.statuses;
    const details = { replicas };
    return replicas.every((replica) => replica.state === 'up') ? indicator.up(details) : indicator.down(details);
  }
}

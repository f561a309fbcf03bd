import { Counter, Gauge, Registry } from 'prom-client';
import type { ReplicaStatus } from './read-replica';

/** Reads counted where they ran; primary reads by why no replica took them. */
export interface ReadCounts {
  replica: number;
  primary: Map<string, number>;
}

/** Prometheus views of the read routing, computed at scrape time (the read path bumps plain numbers). */
export function registerReadMetrics(registry: Registry, source: { statuses: ReplicaStatus[] }, counts: ReadCounts): void {
  new Counter({
    name: 'strata_db_reads_total',
    help: 'Reads that may run on a replica, by where they ran (replica, or primary with the reason: no_replica, behind_floor, floor_unknown, replica_failed)',
    labelNames: ['target', 'reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ target: 'replica', reason: '' }, counts.replica);
      for (const [reason, count] of counts.primary) this.inc({ target: 'primary', reason }, count);
    },
  });
  new Gauge({
    name: 'strata_db_replica_lag_seconds',
    help: 'Upper bound of how far each read replica was behind the primary at its last poll (absent while unknown)',
    labelNames: ['replica'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const status of source.statuses) if (status.lagMs !== undefined) this.set({ replica: status.replica }, status.lagMs / 1000);
    },
  });
  new Gauge({
    name: 'strata_db_replica_up',
    help: 'Whether reads may go to each replica (1), or it is down, lagging beyond DATABASE_REPLICA_MAX_LAG_MS or connecting (0)',
    labelNames: ['replica'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const status of source.statuses) this.set({ replica: status.replica }, status.state === 'up' ? 1 : 0);
    },
  });
}

import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';

/**
 * `ok`: every indicator is up. `degraded`: only non-critical indicators are down; the instance
 * still serves (from L1 and the database). `error`: a critical indicator is down.
 * `shutting_down`: Terminus's own state while the application closes.
 */
export type HealthStatus = 'ok' | 'degraded' | 'error' | 'shutting_down';

/** Terminus's response shape, with our status in place of its binary ok/error. */
export interface HealthReport {
  status: HealthStatus;
  /** The indicators that are up. */
  info: HealthIndicatorResult;
  /** The indicators that are down. */
  error: HealthIndicatorResult;
  /** Every indicator. */
  details: HealthIndicatorResult;
}

/**
 * Classifies a Terminus result: only a down indicator listed in `criticalKeys` makes it an
 * `error`. `info` and `error` are split from `details`, which Terminus always fills.
 */
export function toHealthReport(result: HealthCheckResult, criticalKeys: ReadonlySet<string>): HealthReport {
  const { info, error } = splitByStatus(result.details);
  const downKeys = Object.keys(error);
  const status: HealthStatus =
    result.status === 'shutting_down' ? 'shutting_down' : downKeys.some((key) => criticalKeys.has(key)) ? 'error' : downKeys.length > 0 ? 'degraded' : 'ok';
  return { status, info, error, details: result.details };
}

/** `details` split into the indicators that are up (`info`) and those that are down (`error`). */
export function splitByStatus(details: HealthIndicatorResult): Pick<HealthReport, 'info' | 'error'> {
  const entries = Object.entries(details);
  return {
    info: Object.fromEntries(entries.filter(([, indicator]) => indicator.status === 'up')),
    error: Object.fromEntries(entries.filter(([, indicator]) => indicator.status === 'down')),
  };
}

/** A degraded instance stays in the load balancer: only `error` and `shutting_down` answer 503. */
export function httpStatusOf(report: HealthReport): 200 | 503 {
  return report.status === 'ok' || report.status === 'degraded' ? 200 : 503;
}

import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { HealthCheck, HealthChecks } from './health-checks';
import { HealthReport, toHealthReport } from './health-report';
import { HealthStatusRecorder } from './health-status.recorder';
import { TimeoutError, withTimeout } from './with-timeout';

/** A backstop above every indicator's own timeout, so one stalled check never holds a probe. */
const CHECK_DEADLINE_MS = 1500;

/** Runs health checks through Terminus and classifies the result as ok, degraded or error. */
@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly terminus: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly checks: HealthChecks,
    private readonly recorder: HealthStatusRecorder,
  ) {}

  /** What decides whether this instance gets traffic. */
  readiness(): Promise<HealthReport> {
    return this.run(this.checks.all.filter((check) => check.readiness));
  }

  everything(): Promise<HealthReport> {
    return this.run(this.checks.all);
  }

  private async run(checks: readonly HealthCheck[]): Promise<HealthReport> {
    const result = await this.terminus.check(checks.map((check) => () => this.bounded(check))).catch(resultOfFailedCheck);
    this.recorder.record(result.details);
    return toHealthReport(result, new Set(checks.filter((check) => check.critical).map((check) => check.key)));
  }

  /** Terminus answers a 500 for a check that throws; here that, or a hang, is that check being down. */
  private async bounded(check: HealthCheck): Promise<HealthIndicatorResult> {
    try {
      return await withTimeout(check.run(check.key), CHECK_DEADLINE_MS);
    } catch (error) {
      if (error instanceof TimeoutError) return this.indicators.check(check.key).down({ message: error.message });
      this.logger.warn({ err: error, indicator: check.key }, `Health check "${check.key}" failed unexpectedly`);
      return this.indicators.check(check.key).down({ message: 'check failed' });
    }
  }
}

/** Terminus throws a 503 carrying its result as soon as one indicator is down; degraded or not is decided here. */
function resultOfFailedCheck(error: unknown): HealthCheckResult {
  if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
  throw error;
}

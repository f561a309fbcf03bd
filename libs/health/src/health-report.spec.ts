import type { HealthCheckResult } from '@nestjs/terminus';
import { httpStatusOf, toHealthReport } from './health-report';

const critical = new Set(['postgres', 'migrations']);
const up = { status: 'up' as const };
const down = (message: string) => ({ status: 'down' as const, message });

// Terminus's own status: `error` as soon as anything is down.
const terminusResult = (details: HealthCheckResult['details'], status: HealthCheckResult['status'] = 'error'): HealthCheckResult => ({ status, details });

describe('toHealthReport', () => {
  it('is ok, 200, when every indicator is up', () => {
    const report = toHealthReport(terminusResult({ postgres: up, migrations: up, redis: up }, 'ok'), critical);
    expect(report).toEqual({
      status: 'ok',
      info: { postgres: up, migrations: up, redis: up },
      error: {},
      details: { postgres: up, migrations: up, redis: up },
    });
    expect(httpStatusOf(report)).toBe(200);
  });

  it('is degraded, still 200, when only non-critical indicators are down, and names them in error', () => {
    const report = toHealthReport(terminusResult({ postgres: up, migrations: up, redis: down('PING failed'), disk: down('low') }), critical);
    expect(report.status).toBe('degraded');
    expect(report.error).toEqual({ redis: down('PING failed'), disk: down('low') });
    expect(report.info).toEqual({ postgres: up, migrations: up });
    expect(httpStatusOf(report)).toBe(200);
  });

  it('is an error, 503, as soon as one critical indicator is down, whatever else is down', () => {
    for (const details of [
      { postgres: down('timeout'), migrations: up, redis: up },
      { postgres: up, migrations: down('pending'), redis: down('PING failed') },
    ]) {
      const report = toHealthReport(terminusResult(details), critical);
      expect(report.status).toBe('error');
      expect(httpStatusOf(report)).toBe(503);
    }
  });

  it('keeps Terminus shutting_down (503) even when every indicator is up', () => {
    const report = toHealthReport(terminusResult({ postgres: up }, 'shutting_down'), critical);
    expect(report.status).toBe('shutting_down');
    expect(httpStatusOf(report)).toBe(503);
  });
});

import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiResponse, ApiServiceUnavailableResponse, type SchemaObject } from '@nestjs/swagger';
import { ApiResponseHeaders } from '@strata/core';
import { HealthReport, splitByStatus } from './health-report';

const INDICATORS_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Indicator name → its state and what it measured',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: ['up', 'down'] },
      message: { type: 'string', description: 'Why it is down' },
    },
    additionalProperties: true,
  },
};

const HEALTH_REPORT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'info', 'error', 'details'],
  properties: {
    status: {
      type: 'string',
      enum: ['ok', 'degraded', 'error', 'shutting_down'],
      description:
        'ok: all up. degraded: only non-critical indicators (redis, memory, disk) are down; still serving. ' +
        'error: PostgreSQL is unreachable or migrations are pending. shutting_down: the instance is closing.',
    },
    info: { ...INDICATORS_SCHEMA, description: 'The indicators that are up' },
    error: { ...INDICATORS_SCHEMA, description: 'The indicators that are down' },
    details: { ...INDICATORS_SCHEMA, description: 'Every indicator' },
  },
};

const up = { status: 'up' } as const;
const redisDown = { status: 'down', message: 'PING failed', connection: 'reconnecting' } as const;
// Terminus's ping names no cause unless it timed out ("timeout of 1000ms exceeded").
const postgresDown = { status: 'down' } as const;
const migrationsUnreadable = { status: 'down', message: 'could not read the migrations table' } as const;
const memoryHeap = { status: 'up', usedBytes: 73400320, thresholdBytes: 3882508697 } as const;
const memoryRss = { status: 'up', usedBytes: 188743680, thresholdBytes: 1073741824 } as const;
const disk = { status: 'up', freeBytes: 84825604096, totalBytes: 270465425408, minFreeBytes: 1073741824 } as const;

function report(status: HealthReport['status'], details: HealthReport['details']): HealthReport {
  return { status, ...splitByStatus(details), details };
}

function jsonExamples(examples: Record<string, { summary: string; value: unknown }>) {
  return { 'application/json': { schema: HEALTH_REPORT_SCHEMA, examples } };
}

/** GET /health/live. */
export function ApiLivenessResponse(): MethodDecorator {
  return applyDecorators(
    ApiResponseHeaders({ 200: ['Cache-Control'] }),
    ApiOkResponse({
      description: 'The process is up and answering',
      content: {
        'application/json': {
          schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
          example: { status: 'ok' },
        },
      },
    }),
  );
}

/** GET /health/ready. */
export function ApiReadinessResponses(): MethodDecorator {
  return applyDecorators(
    ApiResponseHeaders({ 200: ['Cache-Control'], 503: ['Cache-Control'] }),
    ApiOkResponse({
      description: 'Ready to serve, possibly degraded (the failing indicators are in error)',
      content: jsonExamples({
        ok: { summary: 'Everything up', value: report('ok', { postgres: up, migrations: up, redis: up }) },
        degraded: { summary: 'Redis down: still serving', value: report('degraded', { postgres: up, migrations: up, redis: redisDown }) },
      }),
    }),
    ApiServiceUnavailableResponse({
      description: 'Cannot serve: take this instance out of the load balancer',
      content: jsonExamples({
        postgres: {
          summary: 'PostgreSQL unreachable',
          value: report('error', { postgres: postgresDown, migrations: migrationsUnreadable, redis: up }),
        },
        migrations: {
          summary: 'Migrations pending',
          value: report('error', {
            postgres: up,
            migrations: { status: 'down', message: 'migrations are pending', pending: ['ContentTables1763830000000'] },
            redis: up,
          }),
        },
      }),
    }),
  );
}

/** GET /health. */
export function ApiHealthResponses(): MethodDecorator {
  const everythingUp = { postgres: up, migrations: up, redis: up, memory_heap: memoryHeap, memory_rss: memoryRss, disk };
  return applyDecorators(
    ApiResponseHeaders({ 200: ['Cache-Control'], 503: ['Cache-Control'] }),
    ApiOkResponse({
      description: 'Every indicator; degraded when only non-critical ones are down',
      content: jsonExamples({
        ok: { summary: 'Everything up', value: report('ok', everythingUp) },
        degraded: { summary: 'Redis down: still serving', value: report('degraded', { ...everythingUp, redis: redisDown }) },
      }),
    }),
    ApiServiceUnavailableResponse({
      description: 'A critical indicator (postgres, migrations) is down',
      content: jsonExamples({
        postgres: {
          summary: 'PostgreSQL unreachable',
          value: report('error', { ...everythingUp, postgres: postgresDown, migrations: migrationsUnreadable }),
        },
      }),
    }),
  );
}

const METRICS_EXAMPLE = [
  '# HELP strata_http_request_duration_seconds HTTP request latency by method, route pattern and status code',
  '# TYPE strata_http_request_duration_seconds histogram',
  'strata_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/pages/:id",status_code="200"} 42',
  'strata_http_request_duration_seconds_count{method="GET",route="/api/v1/pages/:id",status_code="200"} 43',
  '# HELP strata_health_status State of each health indicator at its last check (1 up, 0 down)',
  '# TYPE strata_health_status gauge',
  'strata_health_status{indicator="redis"} 1',
  '',
].join('\n');

/** GET /metrics. */
export function ApiMetricsResponse(): MethodDecorator {
  return applyDecorators(
    ApiProduces('text/plain'),
    ApiResponseHeaders({ 401: ['WWW-Authenticate'] }),
    ApiResponse({
      status: 200,
      description: 'Prometheus text exposition format (version 0.0.4)',
      content: { 'text/plain': { schema: { type: 'string' }, example: METRICS_EXAMPLE } },
    }),
  );
}

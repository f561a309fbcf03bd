import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthReport, httpStatusOf } from './health-report';
import { HealthService } from './health.service';
import { ApiHealthResponses, ApiLivenessResponse, ApiReadinessResponses } from './health.openapi';

/** A probe must see the instance as it is now, never a cached answer. */
const NO_STORE = 'no-store';

/** `security: []` in the document: probes send no key (an empty list overrides any default). */
const PUBLIC: [] = [];

/**
 * Probes for load balancers and orchestrators, outside /api/v1 and without auth. Answers are
 * Terminus-shaped JSON, also with a 503 (not problem+json): probes and dashboards read that shape.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @Header('Cache-Control', NO_STORE)
  @ApiOperation({
    summary: 'Liveness: the process is up',
    description: 'Checks no dependency, so a dead database or Redis never gets a healthy process restarted.',
    security: PUBLIC,
  })
  @ApiLivenessResponse()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', NO_STORE)
  @ApiOperation({
    summary: 'Readiness: can this instance serve traffic?',
    description: '503 only when PostgreSQL is unreachable or migrations are pending. Redis down answers 200 with status "degraded" and names it in error.',
    security: PUBLIC,
  })
  @ApiReadinessResponses()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    return answer(reply, await this.health.readiness());
  }

  @Get()
  @Header('Cache-Control', NO_STORE)
  @ApiOperation({
    summary: 'Every health indicator',
    description: 'postgres and migrations are critical (503 when down); redis, memory_heap, memory_rss and disk only degrade (200, status "degraded").',
    security: PUBLIC,
  })
  @ApiHealthResponses()
  async everything(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    return answer(reply, await this.health.everything());
  }
}

function answer(reply: FastifyReply, report: HealthReport): HealthReport {
  reply.status(httpStatusOf(report));
  return report;
}

import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, AppConfig, MetricsService, ProblemException } from '@strata/core';
import type { FastifyReply } from 'fastify';
import { ApiMetricsResponse } from './health.openapi';

/** Prometheus scrape endpoint, outside /api/v1 and without auth, like the health probes. */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics', description: 'HTTP latency by route, process and health metrics. 404 when METRICS_ENABLED=false.' })
  @ApiMetricsResponse()
  @ApiProblems(404)
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!this.config.metricsEnabled) throw ProblemException.notFound('Metrics are disabled on this instance.');
    reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}

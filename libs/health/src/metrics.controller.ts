import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, AppConfig, MetricsService, ProblemException } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerTokenMatches } from './metrics-token';
import { ApiMetricsResponse } from './health.openapi';

/**
 * Prometheus scrape endpoint, outside /api/v1 and outside API-key auth, like the health probes;
 * with METRICS_TOKEN set, only a scraper sending that bearer token gets it.
 */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'HTTP latency by route, process and health metrics. 404 when METRICS_ENABLED=false; when METRICS_TOKEN is set, 401 without `Authorization: Bearer <METRICS_TOKEN>`.',
    // No API key: public, or the operator's METRICS_TOKEN (not an sk_ key, so not the API's schemes).
    security: [],
  })
  @ApiMetricsResponse()
  @ApiProblems(401, 404)
  async scrape(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!this.config.metricsEnabled) throw ProblemException.notFound('Metrics are disabled on this instance.');
    if (this.config.metricsToken && !bearerTokenMatches(request.headers.authorization, this.config.metricsToken)) {
      throw new ProblemException({
        status: 401,
        detail: 'This instance serves metrics only with Authorization: Bearer <METRICS_TOKEN>.',
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}

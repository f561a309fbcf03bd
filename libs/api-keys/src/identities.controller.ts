import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiResponseHeaders, RequireScope } from '@strata/core';
import { Matches } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { OWNER_ID } from './api-key.dto';
import { KeyUsageReport, usageAnswer } from './key-usage-report';
import { IdentityUsageDto, KeyUsageQueryDto } from './key-usage.dto';

class IdentityParams {
  @Matches(OWNER_ID, { message: 'ownerId must be 1 to 200 letters, digits or . _ : @ -' })
  ownerId: string;
}

/** Identities are the `ownerId`s keys share; what is reported of one is the sum over its keys. */
@ApiTags('api-keys')
@ApiProblems(400, 401, 403, 429)
@RequireScope('keys:manage')
@Controller('identities')
export class IdentitiesController {
  constructor(private readonly usage: KeyUsageReport) {}

  @Get(':ownerId/usage')
  @ApiOperation({
    summary: 'Usage of an identity',
    description:
      "Requests of every key with this ownerId, by UTC hour or day and outcome, summed (the keys it has now; a deleted key takes its usage with it). Same window, granularity and export formats as a key's usage.",
  })
  @ApiParam({ name: 'ownerId', example: 'customer_42', description: 'An ownerId (letters, digits and . _ : @ -)' })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiOkResponse({ type: IdentityUsageDto })
  @ApiProblems(404, 422)
  @ApiResponseHeaders({ 200: [{ name: 'Content-Disposition', optional: true }] }) // the csv and ndjson downloads
  async usageOf(
    @Param() params: IdentityParams,
    @Query() query: KeyUsageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IdentityUsageDto | string> {
    const usage = await this.usage.reportForIdentity(params.ownerId, query);
    return usageAnswer(usage, query, reply, { filename: `identity-${params.ownerId}-usage`, subject: { ownerId: params.ownerId } });
  }
}

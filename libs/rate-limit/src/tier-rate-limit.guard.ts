import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppConfig, ProblemException } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defaultCost, RATE_LIMIT_COST } from './rate-limit-cost.decorator';
import { rateLimitHeaders, tightestPolicy } from './rate-limit-headers';
import type { RateLimitSubject } from './rate-limit-subject';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * The throttler guard with tiers: the subject's tier (from RATE_LIMIT_TIERS) sets both
 * policies, and both are counted in one storage call (one Lua script) rather than one
 * storage round trip per named throttler as the stock guard does. Not a global guard on its
 * own: the API-key access guard calls `limit` once it knows who is asking.
 */
@Injectable()
export class TierRateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly storage: RedisThrottlerStorage,
    reflector: Reflector,
    private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  /** What one call of the route in `context` costs: its `@RateLimitCost`, else the method's default. */
  costOf(context: ExecutionContext): number {
    const override = this.reflector.getAllAndOverride<number | undefined>(RATE_LIMIT_COST, [context.getHandler(), context.getClass()]);
    return override ?? defaultCost(context.switchToHttp().getRequest<FastifyRequest>().method);
  }

  /** Counts the request; sets the rate-limit headers; throws a 429 problem when over a policy. */
  async limit(reply: FastifyReply, subject: RateLimitSubject, cost: number): Promise<void> {
    const limits = this.config.rateLimit.tiers[subject.tier];
    // An unlimited tier is never counted: no policy applies, so no headers describe one.
    if (limits === null) return;
    if (limits === undefined) throw new Error(`Rate-limit tier "${subject.tier}" is not configured`);

    const result = await this.storage.consume(subject.id, limits, cost);
    const headers = rateLimitHeaders(result);
    if (result.allowed) {
      reply.headers(headers);
      return;
    }
    const violated = tightestPolicy(result.policies, result.violated);
    throw new ProblemException({
      status: 429,
      type: 'quota-exceeded',
      detail: `The "${violated.name}" policy allows ${violated.limit} requests per ${violated.windowS} s for this ${subject.id.startsWith('ip:') ? 'client address' : 'API key'}; retry after ${result.retryAfterS} s.`,
      extensions: { policy: violated.name, limit: violated.limit, windowSeconds: violated.windowS, retryAfter: result.retryAfterS },
      headers,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.limit(context.switchToHttp().getResponse<FastifyReply>(), { id: `ip:${request.ip}`, tier: 'anonymous' }, this.costOf(context));
    return true;
  }
}

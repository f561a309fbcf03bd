import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppConfig, ProblemException } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defaultCost, RATE_LIMIT_COST } from './rate-limit-cost.decorator';
import { RateLimitHeaderSink, rateLimitHeaders, tightestPolicy } from './rate-limit-headers';
import type { RateLimitResult } from './rate-limit-result';
import type { RateLimitSubject } from './rate-limit-subject';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { ROUTE_RATE_LIMIT, RouteRateLimitPolicy } from './route-rate-limit.decorator';

/** What one call of a route is charged: its cost in the tier's budget, and the route's own limit if it has one. */
export interface RateLimitCharge {
  cost: number;
  route?: RouteRateLimitPolicy;
}

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

  /** What one call of the route in `context` is charged: its `@RateLimitCost` (else the method's default) and `@RouteRateLimit`. */
  chargeOf(context: ExecutionContext): RateLimitCharge {
    const targets = [context.getHandler(), context.getClass()];
    const cost = this.reflector.getAllAndOverride<number | undefined>(RATE_LIMIT_COST, targets);
    return {
      cost: cost ?? defaultCost(context.switchToHttp().getRequest<FastifyRequest>().method),
      route: this.reflector.getAllAndOverride<RouteRateLimitPolicy | undefined>(ROUTE_RATE_LIMIT, targets),
    };
  }

  /**
   * Counts the request against the subject's limits (its own, else its tier's), then against the route's own limit; sets the
   * rate-limit headers (every policy that applies); throws a 429 problem when over one.
   * A request the tier refuses is not counted against the route.
   */
  async limit(reply: RateLimitHeaderSink, subject: RateLimitSubject, charge: RateLimitCharge): Promise<void> {
    const result = await this.count(subject, charge);
    if (!result) return;
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

  /**
   * Counts the request against the subject's limits (its own, else its tier's), then against the
   * route's own limit; undefined when no policy applies (an unlimited tier). Sets no header and
   * throws nothing: `limit` does, and key verification reports the result in its answer.
   */
  async count(subject: RateLimitSubject, charge: RateLimitCharge): Promise<RateLimitResult | undefined> {
    const limits = subject.limits ?? this.config.rateLimit.tiers[subject.tier];
    if (limits === undefined) throw new Error(`Rate-limit tier "${subject.tier}" is not configured`);
    // An unlimited tier is never counted: no tier policy applies, so no headers describe one.
    const tier = limits === null ? undefined : await this.storage.consume(subject.id, limits, charge.cost);
    const route = charge.route && tier?.allowed !== false ? await this.countRoute(subject, charge.route) : undefined;
    return tier && route ? bothPolicies(tier, route) : (tier ?? route);
  }

  /** One call against the route's own per-minute policy, reported under the policy's name. */
  private async countRoute(subject: RateLimitSubject, policy: RouteRateLimitPolicy): Promise<RateLimitResult> {
    const counted = await this.storage.consume(`${subject.id}:route:${policy.name}`, { perMinute: policy.perMinute, perDay: Number.MAX_SAFE_INTEGER }, 1);
    const minute = { ...counted.policies[0], name: policy.name };
    return { ...counted, violated: counted.allowed ? undefined : policy.name, policies: [minute] };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.limit(context.switchToHttp().getResponse<FastifyReply>(), { id: `ip:${request.ip}`, tier: 'anonymous' }, { cost: this.chargeOf(context).cost });
    return true;
  }
}

/** The tier's result and the route's own, as one: refused if either refused, every policy reported. */
function bothPolicies(tier: RateLimitResult, route: RateLimitResult): RateLimitResult {
  return {
    allowed: tier.allowed && route.allowed,
    violated: tier.violated ?? route.violated,
    retryAfterS: Math.max(tier.retryAfterS, route.retryAfterS),
    policies: [...tier.policies, ...route.policies],
  };
}

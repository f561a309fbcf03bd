import { Injectable } from '@nestjs/common';
import { ProblemException, scopesAllow, type RequiredScope } from '@strata/core';
import { RateLimitCharge, RateLimitHeaderSink, RateLimitSubject, TierRateLimitGuard } from '@strata/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal, KeyRejection } from './api-key-principal';
import { presentedApiKey } from './api-key-secret';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { UsageOutcomes } from './usage-outcomes';
import { RouteUsage, routeOf } from './route-usage';

const REJECTION_DETAIL: Record<KeyRejection | 'missing', string> = {
  missing: 'An API key is required: send Authorization: Bearer <key> or X-API-Key: <key>.',
  not_found: 'The API key is not valid.',
  revoked: 'The API key has been revoked.',
  expired: 'The API key has expired.',
  usage_exceeded: 'The API key has no uses left.',
};

/**
 * Who asks to be admitted, whatever the transport: what admission reads of an HTTP request
 * (`callerOf`) or of a WebSocket handshake or its first message.
 */
export interface Caller {
  /** The API key presented, if any. */
  key: string | undefined;
  ip: string;
  /** `GET /api/v1/pages/:id` (see `routeOf`): what route usage analytics count. */
  route: string | undefined;
}

export function callerOf(request: FastifyRequest): Caller {
  return { key: presentedApiKey(request.headers), ip: request.ip, route: routeOf(request.method, request.routeOptions.url) };
}

/**
 * Who may call an /api/v1 route: authenticate the key, count the request against its tier
 * (or, without a valid key, against the client address, which slows key guessing), then check
 * the scope and charge a use.
 */
@Injectable()
export class AccessControl {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly rateLimit: TierRateLimitGuard,
    private readonly outcomes: UsageOutcomes,
    private readonly routes: RouteUsage,
  ) {}

  /** The principal of an admitted request; otherwise a 401, 403 or 429 (rate limit or no uses left) problem is thrown. */
  async admit(caller: Caller, reply: RateLimitHeaderSink, needed: RequiredScope, charge: RateLimitCharge): Promise<ApiKeyPrincipal> {
    const { key, ip } = caller;
    const authentication = key ? await this.authenticator.authenticate(key) : undefined;
    const principal = authentication?.principal;
    if (!principal) {
      // A route's own limit counts callers with a key; without one the address's budget is what slows guessing.
      await this.rateLimit.limit(reply, { id: `ip:${ip}`, tier: 'anonymous' }, { cost: charge.cost });
      throw refusal(authentication?.rejection ?? 'missing');
    }
    if (principal.ipAllowlist && !principal.ipAllowlist.allows(ip)) {
      // Counted against the address, not the key: a leaked key used from elsewhere cannot spend its owner's budget.
      await this.rateLimit.limit(reply, { id: `ip:${ip}`, tier: 'anonymous' }, { cost: charge.cost });
      this.outcomes.record(principal.keyId, 'forbidden');
      throw new ProblemException({
        status: 403,
        detail: `The API key may not be used from ${ip}: it is limited to its IP allowlist.`,
        extensions: { clientIp: ip },
      });
    }
    await this.limitKey(reply, principal, charge);
    if (!scopesAllow(principal.scopes, needed)) {
      this.outcomes.record(principal.keyId, 'forbidden');
      throw new ProblemException({
        status: 403,
        detail: `This route needs the "${needed}" scope, which the API key does not have.`,
        extensions: { requiredScope: needed },
      });
    }
    if (!(await this.authenticator.charge(principal))) {
      this.outcomes.record(principal.keyId, 'usage_exceeded');
      throw refusal('usage_exceeded');
    }
    this.outcomes.record(principal.keyId, 'allowed');
    this.routes.record(principal.keyId, caller.route);
    return principal;
  }

  /** Counts the request against the key's limits (its own, else its tier's); a refusal is counted as `rate_limited`. */
  private async limitKey(reply: RateLimitHeaderSink, principal: ApiKeyPrincipal, charge: RateLimitCharge): Promise<void> {
    try {
      await this.rateLimit.limit(reply, keySubject(principal), charge);
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() === 429) this.outcomes.record(principal.keyId, 'rate_limited');
      throw error;
    }
  }

  /**
   * `admit` for the common case, decided in memory: a cached key with the scope and no usage
   * limit. Whenever that is not the case (a missing, unknown or rejected key, a lacking scope,
   * a usage-limited key) it answers undefined having counted and changed nothing, so the caller
   * can still hand the request to `admit`. Throws only a 429 problem, once the request was counted.
   */
  async admitFromMemory(
    request: FastifyRequest,
    reply: RateLimitHeaderSink,
    needed: RequiredScope,
    charge: RateLimitCharge,
  ): Promise<ApiKeyPrincipal | undefined> {
    const key = presentedApiKey(request.headers);
    const principal = key ? this.authenticator.authenticateWithoutDatabase(key)?.principal : undefined;
    if (!principal || principal.remaining !== null || !scopesAllow(principal.scopes, needed)) return undefined;
    if (principal.ipAllowlist && !principal.ipAllowlist.allows(request.ip)) return undefined;
    await this.limitKey(reply, principal, charge);
    // Without a usage limit, charging only counts the use; it cannot refuse.
    await this.authenticator.charge(principal);
    this.outcomes.record(principal.keyId, 'allowed');
    this.routes.record(principal.keyId, routeOf(request.method, request.routeOptions.url));
    return principal;
  }
}

/**
 * Who a key's requests are counted against: its owner when it has one (all keys of an identity
 * share one budget), else the key; with the key's own limits when it has them.
 */
export function keySubject(principal: ApiKeyPrincipal): RateLimitSubject {
  return { id: principal.ownerId ? `owner:${principal.ownerId}` : `key:${principal.keyId}`, tier: principal.tier, limits: principal.limits ?? undefined };
}

/**
 * 401 for a key that is missing or not (or no longer) valid. A key that has used all its calls is
 * valid but out of budget, like a rate limit that does not reset by itself: 429 of its own type
 * `usage-exceeded`, without Retry-After (it comes back when an admin raises `remaining`, or at its
 * next refill), so clients that retry 429s after Retry-After do not retry it.
 */
function refusal(reason: KeyRejection | 'missing'): ProblemException {
  if (reason === 'usage_exceeded') return new ProblemException({ status: 429, type: 'usage-exceeded', detail: REJECTION_DETAIL[reason] });
  return new ProblemException({ status: 401, detail: REJECTION_DETAIL[reason], headers: { 'WWW-Authenticate': 'Bearer' } });
}

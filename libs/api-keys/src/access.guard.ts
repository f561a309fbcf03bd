import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyScope, ProblemException, PUBLIC_ROUTE, READ_WRITE_SCOPES, REQUIRED_SCOPE, requiredScopeFor, scopesAllow } from '@strata/core';
import { TierRateLimitGuard } from '@strata/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal, KeyRejection } from './api-key-principal';
import { presentedApiKey } from './api-key-secret';
import { ApiKeyAuthenticator } from './api-key-authenticator';

/** Where the principal of an authenticated request is kept, for controllers that need it. */
export const PRINCIPAL = Symbol('strata.api-key-principal');
export type AuthenticatedRequest = FastifyRequest & { [PRINCIPAL]?: ApiKeyPrincipal };

const REJECTION_DETAIL: Record<KeyRejection | 'missing', string> = {
  missing: 'An API key is required: send Authorization: Bearer <key> or X-API-Key: <key>.',
  not_found: 'The API key is not valid.',
  revoked: 'The API key has been revoked.',
  expired: 'The API key has expired.',
  usage_exceeded: 'The API key has no uses left.',
};

/**
 * The one global guard of /api/v1: authenticate the key, count the request against its tier
 * (or, without a valid key, against the client address, which slows key guessing), then check
 * the route's scope and charge a use. Routes outside /api/v1 (health, metrics, docs) are public.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly rateLimit: TierRateLimitGuard,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const targets = [context.getHandler(), context.getClass()];
    if (!request.url.startsWith('/api/') || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const key = presentedApiKey(request.headers);
    const authentication = key ? await this.authenticator.authenticate(key) : undefined;
    const principal = authentication?.principal;
    if (!principal) {
      await this.rateLimit.limit(context, { id: `ip:${request.ip}`, tier: 'anonymous' });
      throw unauthorized(authentication?.rejection ?? 'missing');
    }
    await this.rateLimit.limit(context, { id: `key:${principal.keyId}`, tier: principal.tier });

    const needed = requiredScopeFor(
      request.method,
      this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets),
      this.reflector.getAllAndOverride<{ read: ApiKeyScope; write: ApiKeyScope } | undefined>(READ_WRITE_SCOPES, targets),
    );
    if (!scopesAllow(principal.scopes, needed)) {
      throw new ProblemException({ status: 403, detail: `This route needs the "${needed}" scope, which the API key does not have.`, extensions: { requiredScope: needed } });
    }
    if (!(await this.authenticator.charge(principal))) throw unauthorized('usage_exceeded');
    request[PRINCIPAL] = principal;
    return true;
  }
}

function unauthorized(reason: KeyRejection | 'missing'): ProblemException {
  return new ProblemException({ status: 401, detail: REJECTION_DETAIL[reason], headers: { 'WWW-Authenticate': 'Bearer' } });
}

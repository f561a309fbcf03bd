import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyScope, PUBLIC_ROUTE, READ_WRITE_SCOPES, REQUIRED_SCOPE, requiredScopeFor, type RequiredScope } from '@strata/core';
import { TierRateLimitGuard } from '@strata/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal } from './api-key-principal';
import { AccessControl, callerOf } from './access-control';

/** Where the principal of an authenticated request is kept, for controllers that need it. */
export const PRINCIPAL = Symbol('strata.api-key-principal');
export type AuthenticatedRequest = FastifyRequest & { [PRINCIPAL]?: ApiKeyPrincipal };

/**
 * The one global guard of /api/v1: the route's scope and rate-limit charge from its decorators, then
 * AccessControl decides. Routes outside /api/v1 (health, metrics, docs) are public.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly access: AccessControl,
    private readonly rateLimit: TierRateLimitGuard,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const targets = [context.getHandler(), context.getClass()];
    if (!request.url.startsWith('/api/') || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const needed = requiredScopeFor(
      request.method,
      this.reflector.getAllAndOverride<RequiredScope | undefined>(REQUIRED_SCOPE, targets),
      this.reflector.getAllAndOverride<{ read: ApiKeyScope; write: ApiKeyScope } | undefined>(READ_WRITE_SCOPES, targets),
    );
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    request[PRINCIPAL] = await this.access.admit(callerOf(request), reply, needed, this.rateLimit.chargeOf(context));
    return true;
  }
}

import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ApiKeyPrincipal } from './api-key-principal';
import { AuthenticatedRequest, PRINCIPAL } from './access.guard';

/** The principal of the key that made the request (set by AccessGuard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): ApiKeyPrincipal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>()[PRINCIPAL];
  if (!principal) throw new Error('CurrentPrincipal used on a route AccessGuard did not authenticate');
  return principal;
});

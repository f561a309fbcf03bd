import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** Every scope an API key can hold; `admin` implies all the others. */
export const API_KEY_SCOPES = ['content:read', 'content:write', 'relationships:write', 'webhooks:manage', 'keys:manage', 'cache:admin', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What a route that any valid key may call "requires": a key, and no scope. */
export const NO_SCOPE = 'none';
/** What a route needs of a key: one scope, or none beyond being valid. */
export type RequiredScope = ApiKeyScope | typeof NO_SCOPE;

export const REQUIRED_SCOPE = 'strata:required-scope';
export const READ_WRITE_SCOPES = 'strata:read-write-scopes';
export const PUBLIC_ROUTE = 'strata:public-route';
/** OpenAPI extensions the document setup turns into each operation's security and description. */
export const OPENAPI_SCOPE_EXTENSION = 'x-required-scope';
export const OPENAPI_READ_WRITE_EXTENSION = 'x-read-write-scopes';

/**
 * The scope a route (or every route of a controller) needs. A route under /api/v1 with no
 * scope at all needs `admin`: a forgotten decorator fails closed.
 */
export function RequireScope(scope: ApiKeyScope): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), ApiExtension(OPENAPI_SCOPE_EXTENSION, scope));
}

/**
 * A route any valid key may call, whatever its scopes (a key asking who it is). The key is still
 * authenticated, rate-limited and charged like on every other /api/v1 route.
 */
export function AnyApiKey(): MethodDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SCOPE, NO_SCOPE), ApiExtension(OPENAPI_SCOPE_EXTENSION, NO_SCOPE));
}

/** A controller whose GET/HEAD routes need `read` and whose other routes need `write`. */
export function RequireReadWriteScopes(read: ApiKeyScope, write: ApiKeyScope): ClassDecorator {
  return applyDecorators(SetMetadata(READ_WRITE_SCOPES, { read, write }), ApiExtension(OPENAPI_READ_WRITE_EXTENSION, { read, write }));
}

/** A route anyone may call without a key (health probes, metrics, docs). */
export function PublicRoute(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}

/** The scope a request needs, from the route's or controller's metadata; `admin` when none is declared. */
export function requiredScopeFor(
  method: string,
  routeScope: RequiredScope | undefined,
  readWrite: { read: ApiKeyScope; write: ApiKeyScope } | undefined,
): RequiredScope {
  if (routeScope) return routeScope;
  if (readWrite) return method === 'GET' || method === 'HEAD' ? readWrite.read : readWrite.write;
  return 'admin';
}

/** Whether a key holding `held` may call a route that needs `needed`. */
export function scopesAllow(held: readonly string[], needed: RequiredScope): boolean {
  return needed === NO_SCOPE || held.includes('admin') || held.includes(needed);
}

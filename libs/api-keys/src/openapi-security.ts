import type { OpenAPIObject } from '@nestjs/swagger';
import { ApiKeyScope, NO_SCOPE, OPENAPI_READ_WRITE_EXTENSION, OPENAPI_SCOPE_EXTENSION, type RequiredScope } from '@strata/core';

export const BEARER_SCHEME = 'bearer';
export const API_KEY_HEADER_SCHEME = 'apiKey';

type Operation = { description?: string; security?: Array<Record<string, string[]>>; [extension: string]: unknown };

/**
 * Gives every /api/v1 operation its security requirement (and every other one none) (either scheme) and its scope, named in
 * the description and in `x-required-scope`, from the scope decorators' OpenAPI extensions (the
 * read/write pair is resolved by method, then removed).
 */
export function documentRequiredScopes(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, value] of Object.entries(item)) {
      const operation = value as Operation;
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      const single = operation[OPENAPI_SCOPE_EXTENSION] as RequiredScope | undefined;
      const readWrite = operation[OPENAPI_READ_WRITE_EXTENSION] as { read: ApiKeyScope; write: ApiKeyScope } | undefined;
      delete operation[OPENAPI_SCOPE_EXTENSION];
      delete operation[OPENAPI_READ_WRITE_EXTENSION];
      if (!path.startsWith('/api/')) {
        // Probes, metrics and the index take no API key: said explicitly, since a generator or
        // Swagger UI would otherwise apply a document-wide requirement to them.
        operation.security = [];
        continue;
      }
      const scope = single ?? (readWrite ? (method === 'get' || method === 'head' ? readWrite.read : readWrite.write) : 'admin');
      operation.security = [{ [BEARER_SCHEME]: [] }, { [API_KEY_HEADER_SCHEME]: [] }];
      // Machine-readable too: the auth-matrix test calls every operation with a key lacking it.
      operation[OPENAPI_SCOPE_EXTENSION] = scope;
      const note = scope === NO_SCOPE ? 'Any valid API key may call this; no scope is needed.' : `Required scope: \`${scope}\` (or \`admin\`).`;
      operation.description = operation.description ? `${operation.description}\n\n${note}` : note;
    }
  }
  return document;
}

import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ApiResponseHeaders } from './openapi-headers';

const ETAG_EXAMPLE = '"0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f.3"';

/**
 * A read of one resource with a strong ETag: If-None-Match answers 304; 200 and 304 carry the
 * ETag, and Cache-Control too for reads served through the cache (`cacheControl: true`).
 */
export function ApiIfNoneMatch(options: { cacheControl?: boolean } = {}): MethodDecorator {
  const headers = options.cacheControl ? (['ETag', 'Cache-Control'] as const) : (['ETag'] as const);
  return applyDecorators(
    ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag from a previous read; 304 if unchanged', example: ETAG_EXAMPLE }),
    ApiResponse({ status: 304, description: 'Not modified: the ETag still matches' }),
    ApiResponseHeaders({ 200: [...headers], 304: [...headers] }),
  );
}

/** A conditional write: If-Match answers 412 on a stale version (the 412 itself is documented by ApiProblems). */
export function ApiIfMatch(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'Apply only if the resource still has this ETag (else 412)', example: ETAG_EXAMPLE }),
  );
}

import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';

const ETAG_EXAMPLE = '"0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f.3"';

export function ApiIfNoneMatch(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag from a previous read; 304 if unchanged', example: ETAG_EXAMPLE }),
    ApiResponse({ status: 304, description: 'Not modified: the ETag still matches' }),
  );
}

export function ApiIfMatch(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'Apply only if the resource still has this ETag (else 412)', example: ETAG_EXAMPLE }),
  );
}

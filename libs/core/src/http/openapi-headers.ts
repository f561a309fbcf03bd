import type { HeaderObject } from '@nestjs/swagger';

/** Where ApiExtension keeps an operation's extensions (@nestjs/swagger's API_EXTENSION_METADATA, not exported). */
const API_EXTENSION_METADATA = 'swagger/apiExtension';

/**
 * The response headers of Strata's HTTP contract, as OpenAPI header objects. The document lists
 * each once (components.headers) and every response that sends one refers to it: routes name the
 * headers particular to them with `ApiResponseHeaders`; those every response or every /api/v1
 * response carries are added by the document's assembly (apps/api/openapi-shared-responses.ts).
 */
export const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description: 'The request id: the one the client sent in X-Request-Id, else generated. Also in every problem body (`requestId`) and log line.',
    schema: { type: 'string', maxLength: 128, example: '5f0c6e3e-3b9a-4d2a-9f7e-2c1d0b8a7e6f' },
  },
  ETag: {
    description: 'Strong entity tag of the resource version (send it back in If-None-Match or If-Match).',
    schema: { type: 'string', example: '"0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f.3"' },
  },
  Location: {
    description: 'Where the created resource (or the redirect target) is.',
    schema: { type: 'string', example: '/api/v1/pages/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' },
  },
  'Cache-Control': {
    description: 'How clients and shared caches may keep the answer.',
    schema: { type: 'string', example: 'private, no-cache' },
  },
  Vary: {
    description: 'Request headers the answer depends on (Accept-Encoding under compression, Origin under CORS).',
    schema: { type: 'string', example: 'accept-encoding' },
  },
  'RateLimit-Policy': {
    description: 'The rate-limit policies of the key (IETF httpapi RateLimit draft 11): name, quota `q`, window `w` in seconds.',
    schema: { type: 'string', example: '"minute";q=60;w=60, "day";q=1000;w=86400' },
  },
  RateLimit: {
    description: 'What is left of each policy: remaining `r`, seconds `t` until its window resets.',
    schema: { type: 'string', example: '"minute";r=42;t=17' },
  },
  'X-RateLimit-Limit': { description: 'Quota of the policy closest to its limit.', schema: { type: 'integer', minimum: 0, example: 60 } },
  'X-RateLimit-Remaining': { description: 'Requests left in that policy.', schema: { type: 'integer', minimum: 0, example: 42 } },
  'X-RateLimit-Reset': { description: 'Seconds until that policy resets.', schema: { type: 'integer', minimum: 0, example: 17 } },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0, example: 17 } },
  'Content-Range': { description: 'The byte range sent (206), or the file size (416).', schema: { type: 'string', example: 'bytes 0-1023/48213' } },
  'Accept-Ranges': { description: 'Byte ranges are served.', schema: { type: 'string', enum: ['bytes'] } },
  'Content-Disposition': { description: 'inline, with the stored file name.', schema: { type: 'string', example: 'inline; filename="diagram.png"' } },
  'WWW-Authenticate': { description: 'The authentication scheme expected.', schema: { type: 'string', example: 'Bearer' } },
} satisfies Record<string, HeaderObject>;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

/** Operation extension read (and removed) by the document's assembly. */
export const OPENAPI_RESPONSE_HEADERS_EXTENSION = 'x-strata-response-headers';

/** Per status: the headers the response sends, and whether each is always sent. */
export type ResponseHeadersByStatus = Record<number, Array<ResponseHeaderName | { name: ResponseHeaderName; optional: true }>>;

/**
 * Documents the headers particular to a route's responses, by status, e.g.
 * `@ApiResponseHeaders({ 200: ['ETag', 'Cache-Control'], 304: ['ETag', 'Cache-Control'] })`.
 * A header listed plainly is always sent with that status; `{ name, optional: true }` sometimes.
 * May be applied several times to one route: the lists add up.
 */
export function ApiResponseHeaders(byStatus: ResponseHeadersByStatus): MethodDecorator {
  return (_target, _key, descriptor) => {
    // Written like ApiExtension writes, but merged: ApiExtension keeps the first value of a key.
    const method = descriptor.value as object;
    const extensions = (Reflect.getMetadata(API_EXTENSION_METADATA, method) as Record<string, unknown> | undefined) ?? {};
    const merged: ResponseHeadersByStatus = { ...(extensions[OPENAPI_RESPONSE_HEADERS_EXTENSION] as ResponseHeadersByStatus | undefined) };
    for (const [status, names] of Object.entries(byStatus)) merged[Number(status)] = [...(merged[Number(status)] ?? []), ...names];
    Reflect.defineMetadata(API_EXTENSION_METADATA, { ...extensions, [OPENAPI_RESPONSE_HEADERS_EXTENSION]: merged }, method);
    return descriptor;
  };
}

import type { HeaderObject, OpenAPIObject, OperationObject, ReferenceObject, ResponseObject } from '@nestjs/swagger';
import {
  OPENAPI_RESPONSE_HEADERS_EXTENSION,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  problemTypeForStatus,
  problemTypeUri,
  RESPONSE_HEADERS,
  ResponseHeaderName,
  ResponseHeadersByStatus,
} from '@strata/core';

/**
 * Completes every operation's responses with what holds across routes, so a client generated from
 * the document can expect each status and read each header the API really sends:
 *
 * - every /api/v1 operation can answer 400 (a malformed query, path or header), 401 (no valid
 *   key), 403 (the key lacks the scope), 429 (a rate limit or the key's usage is exhausted), 500
 *   (a bug) and 503 (PostgreSQL or Redis unavailable); one with a body also 413 (too large) and 415 (not JSON or
 *   multipart); one with an id in its path also 404 (no such item) and 414 (a segment over 100
 *   characters);
 * - the common problems are shared responses (components.responses), problem+json;
 * - every response carries X-Request-Id and may carry Vary; every /api/v1 response may carry the
 *   rate-limit headers (they are absent for a key of the unlimited tier); a 429 of type
 *   `quota-exceeded` carries Retry-After;
 * - headers particular to a route come from its `ApiResponseHeaders` decorator.
 *
 * These come from facts the document already states (the path prefix, a request body, a path
 * parameter), so a new route is complete without repeating decorators.
 */
export function documentSharedResponses(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  const usedHeaders = new Set<ResponseHeaderName>();
  const usedResponses = new Map<string, ResponseObject>();
  const header = (name: ResponseHeaderName, required: boolean): ReferenceObject | HeaderObject => {
    // A reference cannot say `required`; the always-sent ones are written out in full.
    if (required) return { ...RESPONSE_HEADERS[name], required: true };
    usedHeaders.add(name);
    return { $ref: `#/components/headers/${name}` };
  };

  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as (OperationObject & Record<string, unknown>) | undefined;
      if (!operation) continue;
      const api = path.startsWith('/api/');
      const particular = (operation[OPENAPI_RESPONSE_HEADERS_EXTENSION] as ResponseHeadersByStatus | undefined) ?? {};
      delete operation[OPENAPI_RESPONSE_HEADERS_EXTENSION];

      const statuses = new Set(Object.keys(operation.responses));
      if (api) for (const status of [400, 401, 403, 429, 500, 503]) statuses.add(String(status));
      if (api && operation.requestBody) for (const status of [413, 415]) statuses.add(String(status));
      if (api && path.includes('{')) for (const status of [404, 414]) statuses.add(String(status));

      const responses: OperationObject['responses'] = {};
      for (const status of [...statuses].sort()) {
        const shared = SHARED_PROBLEMS[Number(status)];
        const existing = operation.responses[status] as ResponseObject | undefined;
        if (api && shared && (!existing || isProblem(existing)) && !particular[Number(status)]) {
          if (!usedResponses.has(shared.name)) usedResponses.set(shared.name, sharedProblem(Number(status), shared.description, header));
          responses[status] = { $ref: `#/components/responses/${shared.name}` };
          continue;
        }
        const response: ResponseObject = existing ?? { description: shared?.description ?? String(status) };
        const headers: Record<string, ReferenceObject | HeaderObject> = { ...response.headers };
        for (const entry of particular[Number(status)] ?? []) {
          const name = typeof entry === 'string' ? entry : entry.name;
          const inline = headers[name];
          // A route's own description of the header is kept; it only learns whether it is always sent.
          headers[name] = inline && !('$ref' in inline) ? { ...inline, required: typeof entry === 'string' } : header(name, typeof entry === 'string');
        }
        Object.assign(headers, commonHeaders(Number(status), api, header));
        if (Number(status) >= 400 && !response.content && shared) Object.assign(response, problemContent(Number(status), shared.description));
        responses[status] = { ...response, headers };
      }
      operation.responses = responses;
    }
  }

  components.headers = Object.fromEntries([...usedHeaders].sort().map((name) => [name, RESPONSE_HEADERS[name]]));
  components.responses = Object.fromEntries([...usedResponses].sort(([a], [b]) => a.localeCompare(b)));
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The problems many routes share, by status: the component name and what the status means here. */
const SHARED_PROBLEMS: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'Malformed or invalid input; validation errors are listed by field in `errors`' },
  401: { name: 'Unauthorized', description: 'Missing, unknown, expired or revoked API key' },
  403: { name: 'Forbidden', description: 'The API key lacks the required scope, or the caller’s IP is not in its allowlist' },
  404: { name: 'NotFound', description: 'No such resource' },
  409: { name: 'Conflict', description: 'Conflicts with an existing resource or a job in progress' },
  412: { name: 'PreconditionFailed', description: 'If-Match does not match the current version' },
  413: { name: 'ContentTooLarge', description: 'The body or file is larger than allowed' },
  414: { name: 'UriTooLong', description: 'A path segment is longer than the 100 characters allowed' },
  415: { name: 'UnsupportedMediaType', description: 'The body is neither JSON (application/json) nor, where files are uploaded, multipart/form-data' },
  422: { name: 'UnprocessableContent', description: 'Well-formed but semantically invalid input' },
  429: {
    name: 'TooManyRequests',
    description:
      'A rate limit is exhausted (type `quota-exceeded`, naming the policy) or the key has used all its calls (type `usage-exceeded`); see Retry-After',
  },
  500: { name: 'InternalError', description: 'An unexpected error (a bug): report it with the `requestId`' },
  503: { name: 'ServiceUnavailable', description: 'A backing service (PostgreSQL or Redis) is unavailable; try again shortly' },
};

type HeaderFor = (name: ResponseHeaderName, required: boolean) => ReferenceObject | HeaderObject;

function commonHeaders(status: number, api: boolean, header: HeaderFor): Record<string, ReferenceObject | HeaderObject> {
  const headers: Record<string, ReferenceObject | HeaderObject> = { 'X-Request-Id': header('X-Request-Id', true), Vary: header('Vary', false) };
  if (api) {
    for (const name of ['RateLimit-Policy', 'RateLimit', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] as const)
      headers[name] = header(name, false);
  }
  // quota-exceeded says when to retry; usage-exceeded (no calls left) has no time to give.
  if (status === 429) headers['Retry-After'] = header('Retry-After', false);
  if (status === 401) headers['WWW-Authenticate'] = header('WWW-Authenticate', false);
  if (status === 503) headers['Retry-After'] = header('Retry-After', false);
  return headers;
}

function sharedProblem(status: number, description: string, header: HeaderFor): ResponseObject {
  return { description, headers: commonHeaders(status, true, header), ...problemContent(status, description) };
}

function problemContent(status: number, description: string): Pick<ResponseObject, 'content'> {
  const type = problemTypeForStatus(status);
  return {
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: '#/components/schemas/ProblemDetailsSchema' },
        example: {
          type: problemTypeUri(type),
          title: PROBLEM_TYPES[type],
          status,
          detail: description,
          instance: '/api/v1/pages',
          requestId: '5f0c6e3e-3b9a-4d2a-9f7e-2c1d0b8a7e6f',
        },
      },
    },
  };
}

function isProblem(response: ResponseObject | ReferenceObject): boolean {
  return 'content' in response && !!response.content?.[PROBLEM_CONTENT_TYPE];
}

import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Document, type Operation, SetMatchType, ValidationContext } from 'openapi-backend';
import type { RecordedExchange } from './response-recorder';

/**
 * Holds recorded responses against Strata's OpenAPI document, the way a validating proxy in front
 * of a client would: the status must be documented for the operation, the Content-Type must be one
 * the response documents, a JSON body must match its schema, documented headers must be present
 * when required and match their schema, and every contract header the API sends (ETag, Location,
 * rate-limit headers, X-Request-Id, ...) must be documented on the response it came with.
 *
 * Matching and schema checks are openapi-backend's (its router, and Ajv validators it compiles
 * once per operation); this file only adds what it leaves out (media types, problem+json bodies,
 * undocumented headers) and says which responses stand outside the document on purpose.
 */

/** Headers that are part of the API's contract: sent only where the document says so. */
const CONTRACT_HEADERS = [
  'etag',
  'location',
  'cache-control',
  'vary',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-request-id',
  'content-range',
  'accept-ranges',
  'content-disposition',
];

/**
 * Routes that are not part of the API the document describes, each with the reason. Their
 * responses are counted apart, not validated (an unknown route is not among them: it must answer
 * a problem+json 404, which is checked).
 */
const OUTSIDE_THE_DOCUMENT: Array<{ path: RegExp; reason: string }> = [
  { path: /^\/docs(-json|-yaml)?(\/.*)?$/, reason: 'Swagger UI and the document itself' },
  { path: /^\/admin(\/.*)?$/, reason: 'the BullMQ dashboard and its sign-in (an operator UI, not API)' },
  { path: /^\/console(\/.*)?$/, reason: 'the admin console (an HTML application)' },
  // OpenAPI 3.0 cannot describe a WebSocket: the SSE operation's description documents it.
  { path: /^\/api\/v1\/events\/ws$/, reason: 'the WebSocket endpoint (426 to a plain GET)' },
];

export interface Violation {
  request: string;
  status: number;
  problem: string;
}

export interface ConformanceReport {
  checked: number;
  outside: Record<string, number>;
  violations: Violation[];
}

type ResponseObject = { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> };

/** One validator per distinct document (instances of one test file serve the same one): compiled once. */
const validators = new Map<string, DocumentValidator>();

export async function checkExchanges(documentText: string, exchanges: RecordedExchange[]): Promise<ConformanceReport> {
  const key = createHash('sha256').update(documentText).digest('hex');
  let validator = validators.get(key);
  if (!validator) {
    validator = new DocumentValidator(JSON.parse(documentText) as Document);
    await validator.init();
    validators.set(key, validator);
  }
  return validator.check(exchanges);
}

/** One line per distinct problem (per operation, status and problem), with how often it was seen. */
export function formatReport(report: ConformanceReport): string {
  const seen = new Map<string, number>();
  for (const violation of report.violations) {
    const line = `${violation.request} → ${violation.status}: ${violation.problem}`;
    seen.set(line, (seen.get(line) ?? 0) + 1);
  }
  const lines = [...seen].map(([line, count]) => `  ${line}${count > 1 ? ` (×${count})` : ''}`);
  return `OpenAPI conformance: ${report.violations.length} violation(s) in ${report.checked} responses checked against the document:\n${lines.join('\n')}`;
}

class DocumentValidator {
  private readonly api: OpenAPIBackend;

  constructor(private readonly document: Document) {
    this.api = new OpenAPIBackend({
      definition: jsonBodiesAsApplicationJson(structuredClone(document)),
      strict: true,
      quick: true,
      // All errors, for a readable list. Ajv's own `discriminator` support refuses `mapping` (which generators need):
      // left off, a oneOf of variants with distinct `op` or `type` values is checked just as strictly.
      ajvOpts: { allErrors: true },
      // uuid, date-time, uri, email: checked, not just accepted.
      customizeAjv: (ajv) => addFormats(ajv),
    });
  }

  async init(): Promise<void> {
    await this.api.init();
    const schema = this.document.components?.schemas?.ProblemDetailsSchema;
    if (schema) this.problemValidator = this.api.validator.getAjv(ValidationContext.Response).compile(schema);
  }

  private problemValidator: ValidateFunction | undefined;

  check(exchanges: RecordedExchange[]): ConformanceReport {
    const report: ConformanceReport = { checked: 0, outside: {}, violations: [] };
    for (const exchange of exchanges) {
      const path = exchange.url.split('?')[0];
      // Named by the operation's path template when there is one, so one problem is one line.
      let request = `${exchange.method} ${path.length > 100 ? `${path.slice(0, 97)}...` : path}`;
      const fail = (problem: string) => report.violations.push({ request, status: exchange.status, problem });

      const outside = OUTSIDE_THE_DOCUMENT.find((route) => route.path.test(path));
      if (outside) {
        report.outside[outside.reason] = (report.outside[outside.reason] ?? 0) + 1;
        continue;
      }
      if (exchange.method === 'OPTIONS') {
        // CORS preflights are answered by @fastify/cors from its configuration, before routing.
        const reason = 'CORS preflight (OPTIONS), answered by @fastify/cors';
        report.outside[reason] = (report.outside[reason] ?? 0) + 1;
        if (exchange.status !== 204 && exchange.status !== 404) fail('a preflight answers 204 (or 404 when CORS refuses it)');
        continue;
      }
      report.checked++;
      // Fastify answers HEAD for every GET route, with the GET's headers and no body.
      const method = exchange.method === 'HEAD' ? 'get' : exchange.method.toLowerCase();
      const operation = this.match(method, path);
      if (!operation) {
        this.checkUnrouted(exchange, fail);
        continue;
      }
      request = `${exchange.method} ${operation.path}`;
      this.checkOperation(operation, exchange, fail);
    }
    return report;
  }

  /** openapi-backend's router tries every path template per call; a test file repeats the same few paths. */
  private readonly matches = new Map<string, Operation | undefined>();
  private match(method: string, path: string): Operation | undefined {
    const key = `${method} ${path}`;
    if (!this.matches.has(key)) this.matches.set(key, this.api.matchOperation({ method, path, headers: {} }));
    return this.matches.get(key);
  }

  /** No operation for this method and path: the app must answer a problem+json 404 (or a 400/414 for a malformed URL). */
  private checkUnrouted(exchange: RecordedExchange, fail: (problem: string) => void): void {
    if (![400, 404, 414].includes(exchange.status)) return fail('no operation in the document for this method and path');
    this.checkProblemBody(exchange, fail);
  }

  private checkProblemBody(exchange: RecordedExchange, fail: (problem: string) => void): void {
    if (mediaType(exchange.headers['content-type']) !== 'application/problem+json')
      return fail(`Content-Type ${exchange.headers['content-type']} is not application/problem+json`);
    const body = parseJson(exchange, fail);
    if (body === undefined) return;
    if (!this.problemValidator) return fail('the document has no ProblemDetailsSchema to check a problem body against');
    if (!this.problemValidator(body))
      for (const error of this.problemValidator.errors ?? []) fail(`body${error.instancePath} ${error.message ?? ''}${describeParams(error.params)}`);
  }

  private checkOperation(operation: Operation, exchange: RecordedExchange, fail: (problem: string) => void): void {
    const responses = operation.responses as Record<string, ResponseObject>;
    const documented = responses[String(exchange.status)] ?? responses[`${String(exchange.status)[0]}XX`] ?? responses.default;
    if (!documented) return fail(`status ${exchange.status} is not documented (documented: ${Object.keys(responses).join(', ')})`);

    const headerResult = this.api.validateResponseHeaders(exchange.headers, operation, { statusCode: exchange.status, setMatchType: SetMatchType.Superset });
    for (const error of headerResult.errors ?? []) fail(`header ${error.instancePath.replace('/headers/', '') || ''} ${error.message ?? ''}`.trim());
    const documentedHeaders = new Set(Object.keys(documented.headers ?? {}).map((name) => name.toLowerCase()));
    const undocumented = CONTRACT_HEADERS.filter((name) => exchange.headers[name] !== undefined && !documentedHeaders.has(name));
    if (undocumented.length) fail(`header(s) sent but not documented: ${undocumented.join(', ')}`);

    if (exchange.body === undefined || exchange.body.length === 0) return;
    const type = mediaType(exchange.headers['content-type']);
    const content = documented.content ?? {};
    if (!Object.keys(content).some((documentedType) => mediaTypeMatches(documentedType, type)))
      return fail(`Content-Type ${type ?? '(none)'} is not documented (documented: ${Object.keys(content).join(', ') || 'no body'})`);
    if (!type || !isJson(type)) return;
    const body = parseJson(exchange, fail);
    if (body === undefined) return;
    const result = this.api.validateResponse(body, operation, exchange.status);
    for (const error of result.errors ?? []) fail(`body${error.instancePath} ${error.message ?? ''}${describeParams(error.params)}`);
  }
}

/**
 * openapi-backend validates bodies of `application/json` only. Strata's errors are
 * `application/problem+json`; in the copy it validates with, a response whose JSON media type has
 * another name is listed under `application/json` too (the media type itself is checked above).
 */
function jsonBodiesAsApplicationJson(document: Document): Document {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item ?? {})) {
      const responses = (operation as { responses?: Record<string, ResponseObject> })?.responses;
      for (const response of Object.values(responses ?? {})) {
        const content = response.content;
        if (!content || content['application/json']) continue;
        const json = Object.keys(content).find(isJson);
        if (json) content['application/json'] = content[json];
      }
    }
  }
  return document;
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase();
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function mediaTypeMatches(documented: string, actual: string | undefined): boolean {
  if (!actual) return false;
  if (documented === '*/*' || documented === actual) return true;
  return documented.endsWith('/*') && actual.startsWith(documented.slice(0, -1));
}

function parseJson(exchange: RecordedExchange, fail: (problem: string) => void): unknown {
  try {
    return JSON.parse(exchange.body!.toString('utf8')) as unknown;
  } catch {
    fail('the body is not valid JSON');
    return undefined;
  }
}

function describeParams(params: Record<string, unknown>): string {
  const detail = params.additionalProperty ?? params.missingProperty ?? params.allowedValues ?? params.type;
  return detail === undefined ? '' : ` (${JSON.stringify(detail)})`;
}

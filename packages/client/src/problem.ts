import { parseRetryAfter } from './retry.js';

/** A 400's validation failures: field path → its messages (`{ "slug": ["slug must be …"] }`). */
export type FieldErrors = Record<string, string[]>;

/** An RFC 9457 problem+json body: every Strata error has this shape. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldErrors;
  [extension: string]: unknown;
}

/**
 * A Strata error answer as an exception: the problem's fields, the HTTP response (headers such
 * as Retry-After stay readable), and `requestId` to quote in a support request.
 */
export class StrataProblem extends Error {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: FieldErrors;

  constructor(
    readonly problem: ProblemDetails,
    readonly response?: Response,
  ) {
    super(problem.detail ? `${problem.status} ${problem.title}: ${problem.detail}` : `${problem.status} ${problem.title}`);
    this.name = new.target.name;
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.requestId = problem.requestId ?? response?.headers.get('x-request-id') ?? undefined;
    this.errors = problem.errors;
  }
}

/** 412: the `If-Match` ETag is no longer the resource's: read it again, then decide. */
export class PreconditionFailedError extends StrataProblem {}

/** 429 after the client's bounded retries: `retryAfterSeconds` says when the budget returns (absent: it does not by itself, e.g. `usage-exceeded`). */
export class RateLimitedError extends StrataProblem {
  get retryAfterSeconds(): number | undefined {
    const ms = parseRetryAfter(this.response?.headers.get('retry-after') ?? null);
    return ms === undefined ? undefined : ms / 1000;
  }
}

/**
 * The exception for an error response. `body` is what was read from it: the parsed problem+json,
 * or text from something that is not Strata (a proxy's HTML 502), which still gets a problem.
 */
export function problemFrom(response: Response, body: unknown): StrataProblem {
  const problem = isProblemDetails(body)
    ? body
    : {
        type: 'about:blank',
        title: response.statusText || `HTTP ${response.status}`,
        status: response.status,
        detail: typeof body === 'string' && body ? body.slice(0, 500) : undefined,
      };
  if (problem.status === 412) return new PreconditionFailedError(problem, response);
  if (problem.status === 429) return new RateLimitedError(problem, response);
  return new StrataProblem(problem, response);
}

/** Reads an error response's body and returns its exception. */
export async function problemFromResponse(response: Response): Promise<StrataProblem> {
  const text = await response.text().catch(() => '');
  let body: unknown = text;
  if (/json/i.test(response.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON after all: keep the text as the detail.
    }
  }
  return problemFrom(response, body);
}

function isProblemDetails(body: unknown): body is ProblemDetails {
  if (typeof body !== 'object' || body === null) return false;
  const { type, title, status } = body as Record<string, unknown>;
  return typeof type === 'string' && typeof title === 'string' && typeof status === 'number';
}

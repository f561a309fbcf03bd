/** An RFC 9457 problem the API answered with (or one made up for a network failure), as the console shows it. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    /** Field → messages, for validation errors (400). */
    readonly fieldErrors: Record<string, string[]> = {},
    /** Seconds to wait, from Retry-After on a 429. */
    readonly retryAfterS?: number,
  ) {
    super(`${title}: ${detail}`);
  }
}

interface ProblemBody {
  title?: unknown;
  detail?: unknown;
  errors?: unknown;
}

/** Builds the problem from a failed response's status, headers and (possibly empty or non-JSON) body text. */
export function problemFromResponse(status: number, statusText: string, retryAfter: string | null, bodyText: string): ApiProblem {
  let body: ProblemBody = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object') body = parsed;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status line is all there is.
  }
  const title = typeof body.title === 'string' ? body.title : statusText || `HTTP ${status}`;
  const detail = typeof body.detail === 'string' ? body.detail : `The server answered ${status} without details.`;
  const retryAfterS = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return new ApiProblem(status, title, detail, fieldErrorsOf(body.errors), retryAfterS);
}

function fieldErrorsOf(errors: unknown): Record<string, string[]> {
  if (!errors || typeof errors !== 'object') return {};
  const result: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(errors)) {
    if (Array.isArray(messages)) result[field] = messages.map(String);
  }
  return result;
}

/** The problem for a request that got no answer at all. */
export function networkProblem(error: unknown): ApiProblem {
  return new ApiProblem(0, 'Strata did not answer', error instanceof Error ? error.message : String(error));
}

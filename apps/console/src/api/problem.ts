import { StrataProblem } from '@strata/client';

/**
 * Failures are the typed client's StrataProblem (title, detail, status, field errors; a 412 is
 * its PreconditionFailedError and a 429 its RateLimitedError). These make one for the cases the
 * API did not answer: no answer at all, or a form the console refuses before sending.
 */
export function networkProblem(error: unknown): StrataProblem {
  return new StrataProblem({ type: 'about:blank', title: 'Strata did not answer', status: 0, detail: error instanceof Error ? error.message : String(error) });
}

export function formProblem(title: string, detail: string): StrataProblem {
  return new StrataProblem({ type: 'about:blank', title, status: 400, detail });
}

/** Whether an error is the API refusing with this status. */
export function hasStatus(error: unknown, ...statuses: number[]): boolean {
  return error instanceof StrataProblem && statuses.includes(error.status);
}

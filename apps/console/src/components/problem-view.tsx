import { RateLimitedError, StrataProblem } from '@strata/client';

/** A failed request as the person sees it: the problem's title and detail, never a blank screen. */
export function ProblemView({ error }: { error: unknown }) {
  if (!error) return null;
  const problem =
    error instanceof StrataProblem
      ? error
      : new StrataProblem({
          type: 'about:blank',
          title: 'Something went wrong',
          status: 0,
          detail: error instanceof Error ? error.message : JSON.stringify(error),
        });
  const fields = Object.entries(problem.errors ?? {});
  const retryAfter = problem instanceof RateLimitedError ? problem.retryAfterSeconds : undefined;
  return (
    <div class="problem" role="alert">
      <strong class="problem-title">
        {problem.title}
        {problem.status ? <span class="problem-status"> ({problem.status})</span> : null}
      </strong>
      {problem.detail ? <p class="problem-detail">{problem.detail}</p> : null}
      {retryAfter !== undefined ? <p>Try again in {retryAfter} s.</p> : null}
      {fields.length > 0 ? (
        <ul>
          {fields.map(([field, messages]) => (
            <li key={field}>
              <code>{field}</code>: {messages.join('; ')}
            </li>
          ))}
        </ul>
      ) : null}
      {problem.requestId ? <p class="muted">Request id {problem.requestId}</p> : null}
    </div>
  );
}

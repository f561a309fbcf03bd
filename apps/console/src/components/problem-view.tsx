import { ApiProblem } from '../api/problem';

/** A failed request as the person sees it: the problem's title and detail, never a blank screen. */
export function ProblemView({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const problem =
    error instanceof ApiProblem ? error : new ApiProblem(0, 'Something went wrong', error instanceof Error ? error.message : JSON.stringify(error));
  const fields = Object.entries(problem.fieldErrors);
  return (
    <div class="problem" role="alert">
      <strong class="problem-title">
        {problem.title}
        {problem.status ? <span class="problem-status"> ({problem.status})</span> : null}
      </strong>
      <p class="problem-detail">{problem.detail}</p>
      {problem.retryAfterS !== undefined ? <p>Try again in {problem.retryAfterS} s.</p> : null}
      {fields.length > 0 ? (
        <ul>
          {fields.map(([field, messages]) => (
            <li key={field}>
              <code>{field}</code>: {messages.join('; ')}
            </li>
          ))}
        </ul>
      ) : null}
      {onDismiss ? (
        <button type="button" class="link" onClick={onDismiss}>
          Dismiss
        </button>
      ) : null}
    </div>
  );
}

export { createStrataClient, type StrataClient, type StrataClientOptions } from './client.js';
export { streamEvents, type EventStreamOptions, type StrataEvent } from './events.js';
export { multipart } from './multipart.js';
export { paginate, type CursorPage } from './paginate.js';
export {
  PreconditionFailedError,
  problemFrom,
  problemFromResponse,
  RateLimitedError,
  StrataProblem,
  type FieldErrors,
  type ProblemDetails,
} from './problem.js';
export { unwrap, withETag, type CallResult } from './results.js';
export { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs, retryingFetch, type RetryPolicy } from './retry.js';
export { Webhook, WebhookVerificationError } from './webhooks.js';
/** The generated types: `paths` (routes), `components['schemas']` (bodies), `operations`. */
export type { components, operations, paths } from './generated/schema.js';

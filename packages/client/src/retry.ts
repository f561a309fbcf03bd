/** How the client retries a 429 or 503. Bounded both in count and in the wait it accepts. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 turns retrying off). Default 3. */
  retries: number;
  /** The longest wait the client accepts; a longer Retry-After is returned to the caller. Default 30 000. */
  maxDelayMs: number;
  /** The first wait when the answer has no Retry-After; doubled each retry, with jitter. Default 500. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, maxDelayMs: 30_000, baseDelayMs: 500 };

/**
 * How long to wait before retrying this answer, or undefined to hand it to the caller. Both
 * statuses mean "not done, try later" (the request changed nothing, so any method may be sent
 * again): a 503 always, a 429 only with a Retry-After, because a 429 without one (a key with no
 * uses left, `usage-exceeded`) does not pass with time. Also undefined when the retries are used
 * up or the Retry-After is longer than the policy accepts.
 * `retryAfter` is the header's value: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 */
export function retryDelayMs(
  status: number,
  retryAfter: string | null,
  attempt: number,
  policy: RetryPolicy,
  now = Date.now(),
  random = Math.random,
): number | undefined {
  if ((status !== 429 && status !== 503) || attempt >= policy.retries) return undefined;
  const asked = parseRetryAfter(retryAfter, now);
  if (status === 429 && asked === undefined) return undefined;
  const delay = asked ?? policy.baseDelayMs * 2 ** attempt * (0.5 + random() / 2);
  return delay <= policy.maxDelayMs ? Math.ceil(delay) : undefined;
}

/** Retry-After in milliseconds from now, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its weekday and month; Date.parse would also take '-1' as a year.
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A fetch that sends a request again after a 429 or 503, waiting as Retry-After asks. Each
 * attempt sends a clone, so a request body can be sent more than once. An aborted signal ends
 * the wait at once.
 */
export function retryingFetch(fetchImpl: (request: Request) => Promise<Response>, policy: RetryPolicy): (request: Request) => Promise<Response> {
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= policy.retries;
      const response = await fetchImpl(last ? request : request.clone());
      const delay = retryDelayMs(response.status, response.headers.get('retry-after'), attempt, policy);
      if (delay === undefined) return response;
      await response.body?.cancel();
      await sleep(delay, request.signal);
    }
  };
}

export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Largest delay a receiver's Retry-After may ask for; beyond it the schedule's own delay wins. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** `Retry-After` as delta-seconds or an HTTP date → milliseconds from `now`; undefined if absent or unusable. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/**
 * The wait before the next attempt after `failedAttempts` failures, or undefined when the
 * schedule is used up. ±20 % jitter spreads retries of a burst so a recovering receiver is not
 * hit by all of them at once; a longer Retry-After from the receiver is honoured.
 */
export function nextRetryDelay(schedule: readonly number[], failedAttempts: number, retryAfterMs?: number, random = Math.random): number | undefined {
  if (failedAttempts < 1 || failedAttempts > schedule.length) return undefined;
  const jittered = Math.round(schedule[failedAttempts - 1] * (0.8 + 0.4 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}

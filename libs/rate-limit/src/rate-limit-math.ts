import type { TierLimits } from '@strata/core';
import { DAY_MS, MINUTE_WINDOW_MS, PolicyState, RateLimitResult } from './rate-limit-result';

/** The raw numbers a counter (Redis script or in-memory fallback) reports for one request. */
export interface WindowCounts {
  violated: '' | 'minute' | 'day';
  minuteUsed: number;
  minuteResetMs: number;
  dayUsed: number;
  dayResetMs: number;
  retryMs: number;
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/** Turns a counter's numbers into the result the headers and the 429 are built from. */
export function toRateLimitResult(limits: TierLimits, counts: WindowCounts): RateLimitResult {
  const policies: PolicyState[] = [
    {
      name: 'minute',
      limit: limits.perMinute,
      windowS: MINUTE_WINDOW_MS / 1000,
      remaining: Math.max(0, limits.perMinute - counts.minuteUsed),
      resetS: seconds(counts.minuteResetMs),
    },
    { name: 'day', limit: limits.perDay, windowS: DAY_MS / 1000, remaining: Math.max(0, limits.perDay - counts.dayUsed), resetS: seconds(counts.dayResetMs) },
  ];
  return {
    allowed: counts.violated === '',
    violated: counts.violated === '' ? undefined : counts.violated,
    // At least one second: a Retry-After of 0 invites an immediate, equally refused retry.
    retryAfterS: counts.violated === '' ? 0 : Math.max(1, seconds(counts.retryMs)),
    policies,
  };
}

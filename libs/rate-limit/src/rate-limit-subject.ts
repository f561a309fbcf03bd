import type { TierLimits } from '@strata/core';

/** Who a request is counted against: an API key (by id) or, without a valid key, the client IP. */
export interface RateLimitSubject {
  /** Stable and non-secret: `key:<id>` or `ip:<address>`. */
  id: string;
  /** A tier of the configured table (`anonymous` for IP subjects). */
  tier: string;
  /** Limits of this subject alone that take precedence over its tier's (a key's own override). */
  limits?: TierLimits;
}

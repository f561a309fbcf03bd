/** The state of one policy (window) for one subject after a request was counted or refused. */
export interface PolicyState {
  /** 'minute' and 'day' for the tier; a route's own policy (RouteRateLimit) by its name. */
  name: string;
  limit: number;
  windowS: number;
  remaining: number;
  /** Seconds until more quota is available in this window. */
  resetS: number;
}

/** What counting one request decided. `violated` names the policy that refused it. */
export interface RateLimitResult {
  allowed: boolean;
  violated?: PolicyState['name'];
  retryAfterS: number;
  policies: PolicyState[];
}

export const MINUTE_WINDOW_MS = 60_000;
export const DAY_MS = 86_400_000;

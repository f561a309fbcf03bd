import { SetMetadata } from '@nestjs/common';

export const ROUTE_RATE_LIMIT = 'strata:route-rate-limit';

/**
 * A route's own limit, counted per caller besides the tier's policies: `perMinute` calls of
 * this route in any 60 s, whatever the tier (unlimited included), reported as its own policy
 * `name` in the RateLimit headers. For routes whose cost is not the caller's budget alone
 * (the webhook test sends real requests to a receiver).
 */
export interface RouteRateLimitPolicy {
  name: string;
  perMinute: number;
}

export const RouteRateLimit = (policy: RouteRateLimitPolicy) => SetMetadata(ROUTE_RATE_LIMIT, policy);

import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_COST = 'strata:rate-limit-cost';

/** How many requests of the caller's budget one call of this route uses (default: reads 1, writes 2). */
export const RateLimitCost = (cost: number) => SetMetadata(RATE_LIMIT_COST, cost);

/** Writes do more work than reads, so they use more of the budget unless a route says otherwise. */
export function defaultCost(method: string): number {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 1 : 2;
}

/**
 * Whether a delivery to an endpoint may start now, given what this worker already runs.
 *
 * One endpoint may hold at most half of the worker's concurrency. That alone still lets two
 * hanging receivers take every slot between them and starve the healthy ones for a whole
 * timeout at a time, so an endpoint that already has a delivery in flight may take another
 * only while a quarter of the slots (at least one) stay free for endpoints with none.
 */
export function mayStartDelivery(endpointInFlight: number, totalInFlight: number, concurrency: number): boolean {
  if (endpointInFlight === 0) return true;
  const perEndpoint = Math.max(1, Math.ceil(concurrency / 2));
  const keptFree = Math.max(1, Math.floor(concurrency / 4));
  return endpointInFlight < perEndpoint && totalInFlight < concurrency - keptFree;
}

const MIN_STEP_ASIDE_MS = 50;

/**
 * How long a delivery that may not start waits before asking again: about as long as the
 * endpoint's attempts have lately taken (when one of its slots is likely to free up), between
 * 50 ms and the per-attempt timeout, plus up to as much again in jitter. A fixed short wait
 * made the jobs of a hanging receiver spin through the queue every few dozen milliseconds,
 * crowding out the deliveries of healthy endpoints behind them.
 */
export function stepAsideDelayMs(recentAttemptMs: number | undefined, timeoutMs: number): number {
  const base = Math.min(Math.max(recentAttemptMs ?? MIN_STEP_ASIDE_MS, MIN_STEP_ASIDE_MS), Math.max(timeoutMs, MIN_STEP_ASIDE_MS));
  return Math.round(base + Math.random() * base);
}

/** A moving average of an endpoint's attempt durations; recent attempts weigh most. */
export function nextRecentAttemptMs(previous: number | undefined, durationMs: number): number {
  return previous === undefined ? durationMs : previous * 0.7 + durationMs * 0.3;
}

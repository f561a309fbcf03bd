/** The most deliveries one endpoint may have in flight on one worker. */
export function slotsPerEndpoint(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 2));
}

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
  const perEndpoint = slotsPerEndpoint(concurrency);
  const keptFree = Math.max(1, Math.floor(concurrency / 4));
  return endpointInFlight < perEndpoint && totalInFlight < concurrency - keptFree;
}

const MIN_STEP_ASIDE_MS = 50;
/** However long an endpoint's backlog, a job asks again within this long (it may have recovered). */
const MAX_STEP_ASIDE_MS = 60_000;

/**
 * When jobs that found their endpoint busy ask again. Each one is given the next turn on a
 * per-endpoint clock that advances by the endpoint's recent attempt time divided by its slots —
 * about when a slot of it should free up — so a backlog for a hanging receiver comes back at the
 * pace it can be served. Asking again after a fixed short wait made hundreds of such jobs cycle
 * through the queue every second, crowding out the deliveries of healthy endpoints.
 */
export class StepAsidePacer {
  private readonly nextTurnAt = new Map<string, number>();

  /** Milliseconds the job should wait (at least 50, at most 60 s, plus up to 10 % jitter). */
  delayFor(endpointId: string, recentAttemptMs: number | undefined, endpointSlots: number, now = Date.now()): number {
    const spacing = Math.max(recentAttemptMs ?? 0, MIN_STEP_ASIDE_MS) / Math.max(1, endpointSlots);
    const turn = Math.min(Math.max(now + Math.max(MIN_STEP_ASIDE_MS, spacing), (this.nextTurnAt.get(endpointId) ?? 0) + spacing), now + MAX_STEP_ASIDE_MS);
    this.nextTurnAt.set(endpointId, turn);
    if (this.nextTurnAt.size > 10_000) this.forgetPast(now);
    const delay = turn - now;
    return Math.round(delay + Math.random() * delay * 0.1);
  }

  private forgetPast(now: number): void {
    for (const [endpointId, turn] of this.nextTurnAt) if (turn < now) this.nextTurnAt.delete(endpointId);
  }
}

/** A moving average of an endpoint's attempt durations; recent attempts weigh most. */
export function nextRecentAttemptMs(previous: number | undefined, durationMs: number): number {
  return previous === undefined ? durationMs : previous * 0.7 + durationMs * 0.3;
}

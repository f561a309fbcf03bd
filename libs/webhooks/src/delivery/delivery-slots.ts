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
/**
 * However long an endpoint's backlog, a job asks again within this long: the endpoint may have
 * recovered (with 60 s, a backlog paced while a receiver held its answers drained at 76/s once
 * it answered again). Freed slots also bring waiting jobs back at once (StepAsideWaiters).
 */
const MAX_STEP_ASIDE_MS = 5_000;

/**
 * When jobs that found their endpoint busy ask again. Each one is given the next turn on a
 * per-endpoint clock that advances by the endpoint's recent attempt time divided by its slots —
 * about when a slot of it should free up — so a backlog for a hanging receiver comes back at the
 * pace it can be served. Asking again after a fixed short wait made hundreds of such jobs cycle
 * through the queue every second, crowding out the deliveries of healthy endpoints.
 */
export class StepAsidePacer {
  private readonly nextTurnAt = new Map<string, number>();

  /** Milliseconds the job should wait (at least 50, at most 5 s, plus up to 10 % jitter). */
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

/** Jobs remembered per worker while they wait for their endpoint; older ones still come back on their delay. */
const MAX_WAITERS = 20_000;

/**
 * The jobs of this worker that stepped aside for a busy endpoint, oldest first, so that one can
 * be brought back (promoted) the moment a slot of that endpoint frees up. The pacer's delay alone
 * is a guess made when the job stepped aside: a backlog paced while the receiver was slow stayed
 * spread over the pacer's whole horizon after it had become fast again.
 */
export class StepAsideWaiters {
  private readonly byEndpoint = new Map<string, string[]>();
  private size = 0;

  add(endpointId: string, jobId: string): void {
    if (this.size >= MAX_WAITERS) return;
    const waiting = this.byEndpoint.get(endpointId);
    if (waiting) waiting.push(jobId);
    else this.byEndpoint.set(endpointId, [jobId]);
    this.size++;
  }

  /** The longest-waiting job of the endpoint, now forgotten; undefined when none waits. */
  next(endpointId: string): string | undefined {
    const waiting = this.byEndpoint.get(endpointId);
    if (!waiting) return undefined;
    const jobId = waiting.shift();
    this.size--;
    if (waiting.length === 0) this.byEndpoint.delete(endpointId);
    return jobId;
  }
}

/**
 * Lanes in the one delivery queue, so a failing endpoint cannot delay a healthy one however many
 * of its retries are due. BullMQ's worker takes a job from its wait list (jobs without a
 * priority) before any prioritized job, lower priorities first, and a job keeps its priority
 * when it is delayed and comes back. Deliveries to an endpoint whose last attempt succeeded run
 * in the healthy lane (no priority); those of an endpoint whose last attempts failed run in a
 * degraded lane that sinks with the length of its failure streak: 1 after one failure, one lane
 * lower per doubling. A healthy endpoint that failed once (a timeout on a busy receiver) is
 * served right after the healthy lane, ahead of endpoints that have failed for hours; degraded
 * lanes are served whenever nothing better waits, so they keep their schedule unless healthier
 * traffic fills the worker.
 */
export const HEALTHY_LANE = 0;
/** A streak of 2^30 failures and more shares the last lane (BullMQ allows priorities up to 2^21). */
const LOWEST_LANE = 31;

/** The lane of a delivery to an endpoint with this many failed attempts since its last success. */
export function laneFor(endpointFailureCount: number): number {
  if (endpointFailureCount <= 0) return HEALTHY_LANE;
  return Math.min(1 + Math.floor(Math.log2(endpointFailureCount)), LOWEST_LANE);
}

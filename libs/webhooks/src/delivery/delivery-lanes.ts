/**
 * Two lanes in the one delivery queue, so a failing endpoint cannot delay a healthy one however
 * many of its retries are due. BullMQ's worker takes a job from its wait list (jobs without a
 * priority) before any prioritized job, and a job keeps its priority when it is delayed and comes
 * back. Deliveries to an endpoint whose last attempt succeeded run in the healthy lane; those of
 * an endpoint whose last attempt failed (failure_count > 0), and every retry, run in the degraded
 * lane: they are served whenever no healthy delivery is waiting, so they keep their schedule
 * unless healthy traffic alone fills the worker.
 */
export const HEALTHY_LANE = 0;
export const DEGRADED_LANE = 1;

/** The lane of a delivery to an endpoint with this many failed attempts since its last success. */
export function laneFor(endpointFailureCount: number): number {
  return endpointFailureCount > 0 ? DEGRADED_LANE : HEALTHY_LANE;
}

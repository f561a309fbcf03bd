import { mayStartDelivery, nextRecentAttemptMs, stepAsideDelayMs } from './delivery-slots';

describe('mayStartDelivery', () => {
  it('always lets an endpoint with nothing in flight start', () => {
    expect(mayStartDelivery(0, 49, 50)).toBe(true);
    expect(mayStartDelivery(0, 0, 1)).toBe(true);
  });

  it('caps one endpoint at half of the concurrency', () => {
    expect(mayStartDelivery(24, 24, 50)).toBe(true);
    expect(mayStartDelivery(25, 25, 50)).toBe(false);
    expect(mayStartDelivery(1, 1, 1)).toBe(false);
  });

  it('keeps a quarter of the slots for endpoints with nothing in flight', () => {
    // Two hanging endpoints at 8 slots: they may hold 6 between them, never all 8.
    expect(mayStartDelivery(4, 5, 8)).toBe(false);
    expect(mayStartDelivery(1, 5, 8)).toBe(true);
    expect(mayStartDelivery(2, 6, 8)).toBe(false);
    expect(mayStartDelivery(12, 37, 50)).toBe(true);
    expect(mayStartDelivery(12, 38, 50)).toBe(false);
  });
});

describe('stepAsideDelayMs', () => {
  it('waits about as long as the endpoint lately takes, within 50 ms and the timeout, with jitter', () => {
    for (let run = 0; run < 20; run++) {
      const unknown = stepAsideDelayMs(undefined, 10_000);
      expect(unknown).toBeGreaterThanOrEqual(50);
      expect(unknown).toBeLessThanOrEqual(100);
      const fast = stepAsideDelayMs(3, 10_000);
      expect(fast).toBeGreaterThanOrEqual(50);
      expect(fast).toBeLessThanOrEqual(100);
      const hanging = stepAsideDelayMs(60_000, 500);
      expect(hanging).toBeGreaterThanOrEqual(500);
      expect(hanging).toBeLessThanOrEqual(1000);
    }
  });

  it('averages attempt durations with the recent ones weighing most', () => {
    expect(nextRecentAttemptMs(undefined, 400)).toBe(400);
    expect(nextRecentAttemptMs(100, 500)).toBeCloseTo(220);
  });
});

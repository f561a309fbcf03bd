import { mayStartDelivery, nextRecentAttemptMs, StepAsidePacer, StepAsideWaiters } from './delivery-slots';

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

describe('StepAsidePacer', () => {
  it("gives a fast endpoint's jobs a short wait", () => {
    const pacer = new StepAsidePacer();
    for (let job = 0; job < 20; job++) {
      const delay = pacer.delayFor('fast', 3, 25, 1_000_000);
      expect(delay).toBeGreaterThanOrEqual(50);
      expect(delay).toBeLessThanOrEqual(100);
    }
  });

  it("spreads a slow endpoint's backlog at the pace its slots free up, within 5 s", () => {
    const pacer = new StepAsidePacer();
    const now = 1_000_000;
    // 500 ms attempts over 4 slots: one turn every 125 ms.
    const delays = Array.from({ length: 40 }, () => pacer.delayFor('hanging', 500, 4, now));
    expect(delays[0]).toBeGreaterThanOrEqual(125);
    expect(delays[39]).toBeGreaterThanOrEqual(40 * 125);
    expect(delays[39]).toBeLessThanOrEqual(40 * 125 * 1.1);
    expect(pacer.delayFor('other', 500, 4, now)).toBeLessThan(200);
    for (let job = 0; job < 1000; job++) expect(pacer.delayFor('dead', 10_000, 1, now)).toBeLessThanOrEqual(5_500);
  });
});

describe('nextRecentAttemptMs', () => {
  it('averages attempt durations with the recent ones weighing most', () => {
    expect(nextRecentAttemptMs(undefined, 400)).toBe(400);
    expect(nextRecentAttemptMs(100, 500)).toBeCloseTo(220);
  });
});

describe('StepAsideWaiters', () => {
  it('hands back the jobs of one endpoint oldest first, apart from other endpoints', () => {
    const waiters = new StepAsideWaiters();
    waiters.add('a', '1');
    waiters.add('b', '2');
    waiters.add('a', '3');
    expect(waiters.next('a')).toBe('1');
    expect(waiters.next('a')).toBe('3');
    expect(waiters.next('a')).toBeUndefined();
    expect(waiters.next('b')).toBe('2');
    expect(waiters.next('c')).toBeUndefined();
  });
});

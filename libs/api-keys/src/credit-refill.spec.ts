import { effectiveRemaining, periodStart, refillDue } from './credit-refill';

describe('credit refill', () => {
  const now = new Date('2026-03-15T10:20:30Z');

  it('knows the start of the UTC day and month', () => {
    expect(periodStart('daily', now).toISOString()).toBe('2026-03-15T00:00:00.000Z');
    expect(periodStart('monthly', now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('is due once a new period began since the last refill', () => {
    const daily = { amount: 10, interval: 'daily' as const, refilledAt: new Date('2026-03-14T23:59:59Z') };
    expect(refillDue(daily, now)).toBe(true);
    expect(refillDue({ ...daily, refilledAt: new Date('2026-03-15T00:00:00Z') }, now)).toBe(false);
    expect(refillDue({ ...daily, interval: 'monthly' }, now)).toBe(false);
    expect(refillDue({ ...daily, interval: 'monthly', refilledAt: new Date('2026-02-28T12:00:00Z') }, now)).toBe(true);
    expect(refillDue(null, now)).toBe(false);
    expect(effectiveRemaining(0, daily, now)).toBe(10);
    expect(effectiveRemaining(3, { ...daily, refilledAt: now }, now)).toBe(3);
  });
});

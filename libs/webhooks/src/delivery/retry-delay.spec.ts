import { nextRetryDelay, parseRetryAfter } from './retry-delay';

describe('retry delays', () => {
  const schedule = [5000, 300000, 1800000];

  it('follows the schedule within ±20 % jitter', () => {
    expect(nextRetryDelay(schedule, 1, undefined, () => 0)).toBe(4000);
    expect(nextRetryDelay(schedule, 1, undefined, () => 1)).toBe(6000);
    expect(nextRetryDelay(schedule, 2, undefined, () => 0.5)).toBe(300000);
  });

  it('ends after the last scheduled delay', () => {
    expect(nextRetryDelay(schedule, 3, undefined, () => 0.5)).toBe(1800000);
    expect(nextRetryDelay(schedule, 4)).toBeUndefined();
    expect(nextRetryDelay(schedule, 0)).toBeUndefined();
  });

  it('honours a longer Retry-After but never shortens the schedule', () => {
    expect(nextRetryDelay(schedule, 1, 60000, () => 0.5)).toBe(60000);
    expect(nextRetryDelay(schedule, 2, 1000, () => 0.5)).toBe(300000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(String(7 * 86400), now)).toBeUndefined();
  });
});

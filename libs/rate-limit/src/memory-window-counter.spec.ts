import { MemoryWindowCounter } from './memory-window-counter';
import { toRateLimitResult } from './rate-limit-math';

const limits = { perMinute: 3, perDay: 5 };
const DAY = 86_400_000;
const noon = 100 * DAY + DAY / 2;

describe('MemoryWindowCounter (tier math of the fallback, same rules as the Redis script)', () => {
  it('allows exactly perMinute requests in any 60 s and frees a slot when the oldest leaves the window', () => {
    const counter = new MemoryWindowCounter();
    expect(counter.count('s', limits, 1, noon).violated).toBe('');
    expect(counter.count('s', limits, 1, noon + 10_000).violated).toBe('');
    expect(counter.count('s', limits, 1, noon + 20_000).violated).toBe('');
    const refused = counter.count('s', limits, 1, noon + 30_000);
    expect(refused).toMatchObject({ violated: 'minute', minuteUsed: 3, retryMs: 30_000 });
    expect(counter.count('s', limits, 1, noon + 60_001).violated).toBe('');
  });

  it('charges a cost as that many requests and refuses one that does not fit', () => {
    const counter = new MemoryWindowCounter();
    expect(counter.count('s', limits, 2, noon)).toMatchObject({ violated: '', minuteUsed: 2 });
    expect(counter.count('s', limits, 2, noon + 1)).toMatchObject({ violated: 'minute', minuteUsed: 2 });
    expect(counter.count('s', limits, 1, noon + 2)).toMatchObject({ violated: '', minuteUsed: 3 });
  });

  it('enforces the daily quota and resets it at 00:00 UTC', () => {
    const counter = new MemoryWindowCounter();
    for (let i = 0; i < 5; i++) expect(counter.count('s', limits, 1, noon + i * 61_000).violated).toBe('');
    const refused = counter.count('s', limits, 1, noon + 10 * 61_000);
    expect(refused.violated).toBe('day');
    expect(refused.retryMs).toBe(DAY - ((noon + 10 * 61_000) % DAY));
    expect(counter.count('s', limits, 1, 101 * DAY + 1).violated).toBe('');
  });

  it('keeps subjects apart', () => {
    const counter = new MemoryWindowCounter();
    for (let i = 0; i < 3; i++) counter.count('a', limits, 1, noon);
    expect(counter.count('a', limits, 1, noon).violated).toBe('minute');
    expect(counter.count('b', limits, 1, noon).violated).toBe('');
  });
});

describe('toRateLimitResult', () => {
  it('turns counts into remaining requests and whole seconds, with a Retry-After of at least 1 s', () => {
    const result = toRateLimitResult(
      { perMinute: 60, perDay: 1000 },
      { violated: 'minute', minuteUsed: 60, minuteResetMs: 400, dayUsed: 70, dayResetMs: 3_600_000, retryMs: 400 },
    );
    expect(result).toMatchObject({ allowed: false, violated: 'minute', retryAfterS: 1 });
    expect(result.policies).toEqual([
      { name: 'minute', limit: 60, windowS: 60, remaining: 0, resetS: 1 },
      { name: 'day', limit: 1000, windowS: 86400, remaining: 930, resetS: 3600 },
    ]);
  });
});

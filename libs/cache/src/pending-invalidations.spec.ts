import { mergeInvalidations, PendingInvalidations, RETRY_EVERY_MS } from './pending-invalidations';
import type { Invalidation } from './invalidation-bus';

describe('PendingInvalidations', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries until Redis takes an invalidation, then reports it once and stops', async () => {
    let redisUp = false;
    const tried: Invalidation[] = [];
    const applied: Invalidation[] = [];
    const pending = new PendingInvalidations(
      (invalidation) => {
        tried.push(invalidation);
        return Promise.resolve(redisUp);
      },
      (invalidation) => Promise.resolve(void applied.push(invalidation)),
    );
    pending.add({ keys: ['a'] });
    await jest.advanceTimersByTimeAsync(RETRY_EVERY_MS * 3);
    expect(tried).toHaveLength(3);
    expect(applied).toEqual([]);
    redisUp = true;
    await jest.advanceTimersByTimeAsync(RETRY_EVERY_MS);
    expect(applied).toEqual([{ keys: ['a'] }]);
    expect(pending.size).toBe(0);
    await jest.advanceTimersByTimeAsync(RETRY_EVERY_MS * 3);
    expect(tried).toHaveLength(4);
  });

  it('tries a backlog as one invalidation, and collapses a long one into one flush', async () => {
    const pending = new PendingInvalidations(
      () => Promise.resolve(false),
      () => Promise.resolve(),
    );
    for (let index = 0; index < 1001; index++) pending.add({ keys: [String(index)] });
    expect(pending.size).toBe(1);
    const applied: Invalidation[] = [];
    const after = new PendingInvalidations(
      () => Promise.resolve(true),
      (invalidation) => Promise.resolve(void applied.push(invalidation)),
    );
    after.add({ tags: ['x'] });
    after.add({ keys: ['y'] });
    await jest.advanceTimersByTimeAsync(RETRY_EVERY_MS);
    expect(applied).toEqual([{ tags: ['x'], keys: ['y'] }]);
    pending.close();
  });

  it('merges what each invalidation drops, and any `all` into one flush', () => {
    expect(
      mergeInvalidations([
        { keys: ['a'], tags: ['t'] },
        { keys: ['a', 'b'], prefixes: ['p'], loads: ['l'] },
      ]),
    ).toEqual({
      keys: ['a', 'b'],
      tags: ['t'],
      prefixes: ['p'],
      loads: ['l'],
    });
    expect(mergeInvalidations([{ keys: ['a'] }, { all: true }])).toEqual({ all: true });
  });
});

import { MicroBatch } from './micro-batch';

describe('MicroBatch', () => {
  it('runs the calls of one event-loop turn together and answers each caller', async () => {
    const batches: number[][] = [];
    const doubler = new MicroBatch<number, number>((items) => {
      batches.push(items);
      return Promise.resolve(items.map((item) => item * 2));
    });
    const first = await Promise.all([doubler.add(1), doubler.add(2), doubler.add(3)]);
    const second = await doubler.add(4);
    expect(first).toEqual([2, 4, 6]);
    expect(second).toBe(8);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects every caller of a failed batch', async () => {
    const failing = new MicroBatch<number, number>(() => Promise.reject(new Error('database down')));
    await expect(Promise.all([failing.add(1), failing.add(2)])).rejects.toThrow('database down');
  });
});

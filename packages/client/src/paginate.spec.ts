import { paginate } from './paginate.js';
import { StrataProblem } from './problem.js';

const ok = <T>(data: T) => Promise.resolve({ data, response: new Response(null, { status: 200 }) });

describe('paginate', () => {
  it('yields every item, following nextCursor until it is null', async () => {
    const pages: Record<string, { data: number[]; nextCursor: string | null }> = {
      first: { data: [1, 2], nextCursor: 'b' },
      b: { data: [3, 4], nextCursor: 'c' },
      c: { data: [5], nextCursor: null },
    };
    const cursors: Array<string | undefined> = [];
    const items: number[] = [];
    for await (const item of paginate((cursor) => {
      cursors.push(cursor);
      return ok(pages[cursor ?? 'first']);
    })) {
      items.push(item);
    }
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect(cursors).toEqual([undefined, 'b', 'c']);
  });

  it('fetches no further page when the loop stops early', async () => {
    let calls = 0;
    for await (const item of paginate(() => {
      calls++;
      return ok({ data: [1, 2], nextCursor: 'more' });
    })) {
      if (item === 2) break;
    }
    expect(calls).toBe(1);
  });

  it('throws a failed page’s problem from the loop', async () => {
    const failing = paginate<number>(() =>
      Promise.resolve({ error: { type: 't', title: 'Bad Request', status: 400 }, response: new Response(null, { status: 400 }) }),
    );
    await expect(failing.next()).rejects.toBeInstanceOf(StrataProblem);
  });
});

import { nestsDeeperThan } from './json-body-parser';

describe('nestsDeeperThan', () => {
  const nested = (depth: number) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };

  it('counts objects and arrays, not scalars', () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan(nested(3), 3)).toBe(false);
    expect(nestsDeeperThan(nested(4), 3)).toBe(true);
    expect(nestsDeeperThan({ shallow: 1, deep: nested(5) }, 5)).toBe(true);
  });

  it('copes with nesting far deeper than the call stack', () => {
    expect(nestsDeeperThan(nested(200_000), 64)).toBe(true);
  });
});

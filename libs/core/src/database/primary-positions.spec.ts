import { PrimaryPositions } from './primary-positions';

describe('PrimaryPositions', () => {
  it('a replica that has replayed the latest sample is behind by at most its age, even when the primary is idle', () => {
    const positions = new PrimaryPositions(10_000);
    for (let at = 0; at <= 60_000; at += 500) positions.record(100n, at);
    expect(positions.lagOf(100n, 60_200)).toBe(200);
  });

  it('a replica behind the primary is as far behind as the newest sample it has reached', () => {
    const positions = new PrimaryPositions(10_000);
    positions.record(100n, 0);
    positions.record(200n, 500);
    positions.record(300n, 1000);
    expect(positions.lagOf(250n, 1200)).toBe(700);
    expect(positions.lagOf(200n, 1200)).toBe(700);
    expect(positions.lagOf(300n, 1200)).toBe(200);
  });

  it('knows no lag for a replica behind every remembered sample, or before the first sample', () => {
    const positions = new PrimaryPositions(1000);
    expect(positions.lagOf(0n, 0)).toBeUndefined();
    positions.record(100n, 0);
    expect(positions.lagOf(99n, 10)).toBeUndefined();
  });

  it('forgets samples older than its window, but keeps the one that dates the start of it', () => {
    const positions = new PrimaryPositions(1000);
    positions.record(100n, 0);
    positions.record(200n, 600);
    positions.record(300n, 1200);
    positions.record(400n, 1800);
    expect(positions.lagOf(150n, 1900)).toBeUndefined();
    expect(positions.lagOf(250n, 1900)).toBe(1300);
    expect(positions.latest).toBe(400n);
  });
});

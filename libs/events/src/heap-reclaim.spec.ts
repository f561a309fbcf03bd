import { HeapReclaim } from './heap-reclaim';

describe('HeapReclaim', () => {
  let collections: number;
  let clock: number;
  let reclaim: HeapReclaim;

  beforeEach(() => {
    jest.useFakeTimers();
    collections = 0;
    clock = 0;
    reclaim = new HeapReclaim(
      () => collections++,
      () => clock,
    );
  });
  afterEach(() => {
    reclaim.stop();
    jest.useRealTimers();
  });

  const advance = (ms: number) => {
    clock += ms;
    jest.advanceTimersByTime(ms);
  };

  it('collects once, 5 s after most of at least 1,000 subscribers left', () => {
    reclaim.counted(5000);
    reclaim.counted(100);
    advance(4999);
    expect(collections).toBe(0);
    advance(1);
    expect(collections).toBe(1);
    advance(120_000);
    expect(collections).toBe(1);
  });

  it('does not collect after ordinary churn or a departure of less than half', () => {
    reclaim.counted(800);
    reclaim.counted(0);
    reclaim.counted(5000);
    reclaim.counted(3000);
    advance(10_000);
    expect(collections).toBe(0);
  });

  it('does not collect when the subscribers came back before it settled', () => {
    reclaim.counted(5000);
    reclaim.counted(0);
    advance(2000);
    reclaim.counted(4000);
    advance(10_000);
    expect(collections).toBe(0);
  });

  it('collects at most once a minute', () => {
    reclaim.counted(5000);
    reclaim.counted(0);
    advance(5000);
    reclaim.counted(5000);
    reclaim.counted(0);
    advance(5000);
    expect(collections).toBe(1);
    advance(54_999);
    expect(collections).toBe(1);
    advance(1);
    expect(collections).toBe(2);
  });
});

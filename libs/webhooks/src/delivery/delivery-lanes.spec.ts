import { HEALTHY_LANE, laneFor } from './delivery-lanes';

describe('laneFor', () => {
  it('keeps an endpoint without failures in the healthy lane', () => {
    expect(laneFor(0)).toBe(HEALTHY_LANE);
  });

  it('sinks one lane per doubling of the failure streak', () => {
    expect([1, 2, 3, 4, 7, 8, 1000, 3000].map(laneFor)).toEqual([1, 2, 2, 3, 3, 4, 10, 12]);
  });

  it('stops at the last lane', () => {
    expect(laneFor(2 ** 40)).toBe(31);
  });
});

import { LEASE_MIN_LIMIT, QuotaLeases } from './quota-leases';

const large = { perMinute: 100_000, perDay: 10_000_000 };
const noon = 1_000 * 86_400_000 + 43_200_000;

/** What the Redis script answers when it granted `leased` tokens on top of a request of cost 1. */
const grant = (leased: number, minuteUsed: number, dayUsed = minuteUsed) => ({
  violated: '' as const,
  minuteUsed,
  minuteResetMs: 60_000,
  dayUsed,
  dayResetMs: 43_200_000,
  retryMs: 0,
  leased,
  leaseMs: 1_000,
});

describe('QuotaLeases (quota handed to one instance in advance)', () => {
  it('never leases for tiers under the minimum, so small limits stay exact to the request', () => {
    const leases = new QuotaLeases();
    expect(leases.ask('s', { perMinute: LEASE_MIN_LIMIT - 1, perDay: 1e9 }, 1)).toBe(0);
    expect(leases.ask('s', { perMinute: 60, perDay: 1000 }, 1)).toBe(0);
    // A day quota this small caps a lease at 1 % of it: under one token means none.
    expect(leases.ask('s', { perMinute: 5000, perDay: 50 }, 1)).toBe(0);
  });

  it('asks once per subject at a time: concurrent requests count themselves until the lease arrives', () => {
    const leases = new QuotaLeases();
    expect(leases.ask('s', large, 1)).toBe(1);
    expect(leases.ask('s', large, 1)).toBe(0);
    expect(leases.ask('other', large, 1)).toBe(1);
    leases.granted('s', 1, undefined, noon);
    expect(leases.ask('s', large, 1)).toBe(1);
  });

  it('spends a granted lease locally and reports counts as if each request had gone to Redis', () => {
    const leases = new QuotaLeases();
    expect(leases.spend('s', 1, noon)).toBeUndefined();
    leases.ask('s', large, 1);
    // The asking request used 1, the lease holds 4 more: Redis counts 5.
    leases.granted('s', 4, grant(4, 5), noon);
    expect(leases.spend('s', 1, noon + 10)).toMatchObject({ violated: '', minuteUsed: 2, minuteResetMs: 59_990, dayUsed: 2 });
    expect(leases.spend('s', 2, noon + 20)).toMatchObject({ minuteUsed: 4 });
    expect(leases.spend('s', 2, noon + 30)).toBeUndefined();
    expect(leases.spend('s', 1, noon + 30)).toMatchObject({ minuteUsed: 5 });
    expect(leases.spend('s', 1, noon + 40)).toBeUndefined();
  });

  it('stops spending a lease when it expires, timed from before the call to Redis', () => {
    const leases = new QuotaLeases();
    leases.ask('s', large, 1);
    leases.granted('s', 10, grant(10, 11), noon);
    expect(leases.spend('s', 1, noon + 999)).toBeDefined();
    expect(leases.spend('s', 1, noon + 1_000)).toBeUndefined();
  });

  it('doubles the next ask when a lease is spent in full, halves it when one expires unspent, within 1 % of the limit', () => {
    const leases = new QuotaLeases();
    let asked = leases.ask('s', large, 1);
    const sizes = [asked];
    for (let round = 0; round < 12; round++) {
      leases.granted('s', asked, grant(asked, asked + 1), noon);
      for (let i = 0; i < asked; i++) leases.spend('s', 1, noon + 1);
      asked = leases.ask('s', large, 1);
      sizes.push(asked);
    }
    expect(sizes).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000, 1000]);

    leases.granted('s', asked, grant(asked, asked + 1), noon);
    leases.spend('s', 1, noon + 1);
    // Expired with tokens left: demand was lower than the lease.
    expect(leases.spend('s', 1, noon + 2_000)).toBeUndefined();
    expect(leases.ask('s', large, 1)).toBe(500);
  });

  it('halves the next ask when Redis had no room for a lease, and grants nothing to spend', () => {
    const leases = new QuotaLeases();
    leases.ask('s', large, 1);
    leases.granted('s', 8, grant(8, 9), noon);
    for (let i = 0; i < 8; i++) leases.spend('s', 1, noon + 1);
    expect(leases.ask('s', large, 1)).toBe(16);
    leases.granted('s', 16, grant(0, 100_000), noon + 2);
    expect(leases.spend('s', 1, noon + 3)).toBeUndefined();
    expect(leases.ask('s', large, 1)).toBe(8);
  });
});

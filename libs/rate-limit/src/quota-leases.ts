import type { TierLimits } from '@strata/core';
import type { WindowCounts } from './rate-limit-math';

/** Tiers below this many requests per minute are always counted one request at a time in Redis. */
export const LEASE_MIN_LIMIT = 1_000;
/** A lease never holds more than this share of a policy's limit. */
const LEASE_MAX_SHARE = 0.01;
/**
 * How long a lease's tokens may be spent; they count in the minute window for as long. Long
 * enough that a key sending a request every second or so still pays most requests from a lease
 * (with 1 s, such keys went to Redis on nearly every request, and a Redis call cost about
 * 200 µs of server CPU in the auth bench); short against the 60 s window it delays.
 */
export const LEASE_MS = 5_000;
/** Subjects holding a lease at once; the least recently used is dropped beyond this. */
const MAX_SUBJECTS = 50_000;

interface Lease {
  /** Tokens Redis granted (0: it had no room for a lease) and tokens left to spend here. */
  granted: number;
  tokens: number;
  /** Local clock; set from before the Redis call, so it never outlives the lease Redis granted. */
  expiresAt: number;
  /** The size last asked for: doubled next time when this lease runs out, halved when it expires unspent. */
  nextAsk: number;
  /** The counts Redis reported when granting (leased tokens included) and when they reset. */
  minuteUsed: number;
  minuteResetAt: number;
  dayUsed: number;
  dayResetAt: number;
}

/**
 * Quota handed to this instance in advance, so a busy key costs one Redis round trip per lease
 * instead of one per request. Written by hand: the throttler packages count every request in
 * their store; none pre-allocates quota from a shared one.
 *
 * Exactness: leased tokens are recorded in the shared minute log and day quota when granted,
 * with the time they may be spent until (see SLIDING_WINDOW_SCRIPT), so across all instances a
 * subject is never allowed more than its limits. Tokens left unspent when a lease ends still
 * count until they leave the window: an idle instance can hold back at most one lease (≤ 1 % of
 * the limit) for a minute. Tiers under LEASE_MIN_LIMIT per minute never lease, so their counts
 * and headers stay exact to the request.
 */
export class QuotaLeases {
  private readonly leases = new Map<string, Lease>();
  private readonly asking = new Set<string>();

  /** The counts for a request paid from this instance's lease, or undefined when none covers it. */
  spend(subject: string, cost: number, now = Date.now()): WindowCounts | undefined {
    const lease = this.leases.get(subject);
    if (!lease || lease.tokens < cost || lease.expiresAt <= now) return undefined;
    lease.tokens -= cost;
    return {
      violated: '',
      minuteUsed: lease.minuteUsed - lease.tokens,
      minuteResetMs: lease.minuteResetAt - now,
      dayUsed: lease.dayUsed - lease.tokens,
      dayResetMs: lease.dayResetAt - now,
      retryMs: 0,
    };
  }

  /**
   * How many tokens beyond the request's own cost to ask Redis for. 0 while another request of
   * this instance is already asking for the subject (it will bring a lease), and for small tiers.
   * A positive answer must be followed by `granted`, whatever Redis answered.
   */
  ask(subject: string, limits: TierLimits, cost: number): number {
    const cap = Math.floor(Math.min(limits.perMinute, limits.perDay) * LEASE_MAX_SHARE);
    if (limits.perMinute < LEASE_MIN_LIMIT || cap < 1 || this.asking.has(subject)) return 0;
    this.asking.add(subject);
    const lease = this.leases.get(subject);
    if (!lease) return 1;
    // Spent in full: demand is at least what the lease held. Expired with tokens left, or no
    // room granted: ask for less.
    const next = lease.granted > 0 && lease.tokens < cost ? lease.nextAsk * 2 : Math.floor(lease.nextAsk / 2);
    return Math.max(1, Math.min(cap, next));
  }

  /**
   * Records what Redis granted for a subject that `ask` asked for (0 tokens, or no answer at
   * all, ends the asking). `askedAt` is the local time the request to Redis was sent.
   */
  granted(subject: string, asked: number, counts: (WindowCounts & { leased: number; leaseMs: number }) | undefined, askedAt: number): void {
    this.asking.delete(subject);
    const previous = this.leases.get(subject);
    this.leases.delete(subject);
    if (!counts || counts.leased <= 0) {
      // Nothing to spend; keep what was learnt of the subject's demand for the next ask.
      if (previous) this.remember(subject, { ...previous, granted: 0, tokens: 0, expiresAt: 0, nextAsk: asked });
      return;
    }
    this.remember(subject, {
      granted: counts.leased,
      tokens: counts.leased,
      expiresAt: askedAt + counts.leaseMs,
      nextAsk: asked,
      minuteUsed: counts.minuteUsed,
      minuteResetAt: askedAt + counts.minuteResetMs,
      dayUsed: counts.dayUsed,
      dayResetAt: askedAt + counts.dayResetMs,
    });
  }

  private remember(subject: string, lease: Lease): void {
    if (this.leases.size >= MAX_SUBJECTS) this.leases.delete(this.leases.keys().next().value as string);
    this.leases.set(subject, lease);
  }
}

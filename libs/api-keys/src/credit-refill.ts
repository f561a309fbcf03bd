export const REFILL_INTERVALS = ['daily', 'monthly'] as const;
export type RefillInterval = (typeof REFILL_INTERVALS)[number];

/** A usage-limited key's credits: `remaining` is set back to `amount` at each UTC day or month start. */
export interface CreditRefill {
  amount: number;
  interval: RefillInterval;
  /** When `remaining` was last set back (or the key got its refill). */
  refilledAt: Date;
}

/** A stored key's refill, or null. */
export function refillOf(row: { refillAmount: number | null; refillInterval: RefillInterval | null; refilledAt: Date | null }): CreditRefill | null {
  return row.refillAmount !== null && row.refillInterval !== null
    ? { amount: row.refillAmount, interval: row.refillInterval, refilledAt: row.refilledAt ?? new Date(0) }
    : null;
}

/** The start of the UTC day or month that `now` is in. */
export function periodStart(interval: RefillInterval, now: Date): Date {
  return interval === 'daily'
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** Whether a new period began since the last refill, so the next charge refills first. */
export function refillDue(refill: CreditRefill | null, now: Date): boolean {
  return refill !== null && refill.refilledAt < periodStart(refill.interval, now);
}

/** The uses a key has now: its stored `remaining`, or a full refill when one is due. */
export function effectiveRemaining(remaining: number | null, refill: CreditRefill | null, now = new Date()): number | null {
  return remaining !== null && refill && refillDue(refill, now) ? refill.amount : remaining;
}

/**
 * The SQL of a due refill for the charge UPDATE (PostgreSQL, in UTC), over api_keys' columns.
 * SET expressions see the row as it was, so `remaining` and `refilled_at` can both use it.
 */
export const REFILL_DUE_SQL = `(refill_interval IS NOT NULL AND refilled_at < (date_trunc(CASE refill_interval WHEN 'daily' THEN 'day' ELSE 'month' END, now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'))`;

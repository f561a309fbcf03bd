import { existsSync, readFileSync } from 'node:fs';

/** A tier's budget: requests per rolling minute and per UTC day. `null` means no limit. */
export interface TierLimits {
  perMinute: number;
  perDay: number;
}

/**
 * Tier name → limits, `null` for unlimited. `anonymous` is the per-client-IP budget of
 * requests that carry no valid key (it slows down key guessing).
 */
export type RateLimitTiers = Record<string, TierLimits | null>;

export const DEFAULT_RATE_LIMIT_TIERS: RateLimitTiers = {
  free: { perMinute: 60, perDay: 1000 },
  basic: { perMinute: 300, perDay: 20000 },
  premium: { perMinute: 1200, perDay: 200000 },
  unlimited: null,
  anonymous: { perMinute: 30, perDay: 2000 },
};

/**
 * RATE_LIMIT_TIERS: inline JSON (starts with `{`) or a path to a JSON file. Its entries are
 * merged over the built-in table. Throws a message naming what is wrong.
 */
export function parseRateLimitTiers(raw: string | undefined): RateLimitTiers {
  if (raw === undefined) return { ...DEFAULT_RATE_LIMIT_TIERS };
  const text = raw.trim().startsWith('{') ? raw : readTierFile(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object of tier name → limits');
  const tiers: RateLimitTiers = { ...DEFAULT_RATE_LIMIT_TIERS };
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name)) throw new Error(`tier name "${name}" must be 1-32 characters of a-z 0-9 _ -`);
    tiers[name] = value === null ? null : tierLimits(name, value);
  }
  return tiers;
}

function readTierFile(path: string): string {
  if (!existsSync(path)) throw new Error('is neither inline JSON nor the path of an existing file');
  return readFileSync(path, 'utf8');
}

function tierLimits(name: string, value: unknown): TierLimits {
  const candidate = value as Partial<Record<keyof TierLimits, unknown>>;
  const valid = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1e9;
  if (typeof value !== 'object' || value === null || !valid(candidate.perMinute) || !valid(candidate.perDay)) {
    throw new Error(`tier "${name}" must be null or { "perMinute": integer ≥ 1, "perDay": integer ≥ 1 }`);
  }
  return { perMinute: candidate.perMinute as number, perDay: candidate.perDay as number };
}

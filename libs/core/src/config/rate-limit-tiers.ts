import { existsSync, readFileSync } from 'node:fs';

/**
 * A tier's budget: requests per rolling minute and per UTC day, and live-event stream
 * connections open at once per key across instances (absent: no per-key stream limit).
 * `null` means no limit at all.
 */
export interface TierLimits {
  perMinute: number;
  perDay: number;
  streams?: number;
}

/**
 * Tier name → limits, `null` for unlimited. `anonymous` is the per-client-IP budget of
 * requests that carry no valid key (it slows down key guessing).
 */
export type RateLimitTiers = Record<string, TierLimits | null>;

export const DEFAULT_RATE_LIMIT_TIERS: RateLimitTiers = {
  free: { perMinute: 60, perDay: 1000, streams: 5 },
  basic: { perMinute: 300, perDay: 20000, streams: 20 },
  premium: { perMinute: 1200, perDay: 200000, streams: 100 },
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
    tiers[name] = value === null ? null : tierLimits(name, value, DEFAULT_RATE_LIMIT_TIERS[name]?.streams);
  }
  return tiers;
}

function readTierFile(path: string): string {
  if (!existsSync(path)) throw new Error('is neither inline JSON nor the path of an existing file');
  return readFileSync(path, 'utf8');
}

/** `builtInStreams`: an entry that overrides a built-in tier without saying `streams` keeps the built-in one. */
function tierLimits(name: string, value: unknown, builtInStreams?: number): TierLimits {
  const candidate = value as Partial<Record<keyof TierLimits, unknown>>;
  const valid = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1e9;
  const validStreams = candidate.streams === undefined || (valid(candidate.streams) && (candidate.streams as number) <= 1e6);
  if (typeof value !== 'object' || value === null || !valid(candidate.perMinute) || !valid(candidate.perDay) || !validStreams) {
    throw new Error(`tier "${name}" must be null or { "perMinute": integer ≥ 1, "perDay": integer ≥ 1, "streams"?: integer ≥ 1 }`);
  }
  const limits: TierLimits = { perMinute: candidate.perMinute as number, perDay: candidate.perDay as number };
  const streams = (candidate.streams as number | undefined) ?? builtInStreams;
  if (streams !== undefined) limits.streams = streams;
  return limits;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** A comma list of durations such as `5s,5m,30m,2h` (at least one); what `parseDurationList` accepts. */
export const DURATION_LIST = /^\s*\d+(ms|s|m|h|d)\s*(,\s*\d+(ms|s|m|h|d)\s*)*$/;

/** `5s,5m,2h` → milliseconds `[5000, 300000, 7200000]`; call only on text that matches `DURATION_LIST`. */
export function parseDurationList(text: string): number[] {
  return text.split(',').map((part) => {
    const [, amount, unit] = DURATION.exec(part.trim())!;
    return Number(amount) * UNIT_MS[unit];
  });
}

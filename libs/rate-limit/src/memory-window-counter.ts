import type { TierLimits } from '@strata/core';
import { DAY_MS, MINUTE_WINDOW_MS } from './rate-limit-result';
import type { WindowCounts } from './rate-limit-math';

interface SubjectWindows {
  /** Timestamps of the requests counted in the last minute, oldest first. */
  log: number[];
  day: number;
  dayUsed: number;
}

/** Subjects remembered at once; the least recently seen is forgotten beyond this. */
const MAX_SUBJECTS = 50_000;

/**
 * The per-instance fallback while Redis is unreachable: the same exact sliding minute and
 * UTC-day quota as the Redis script, counted in this process only. Limits then hold per
 * instance (never "no limit"), and requests never fail because Redis is down.
 */
export class MemoryWindowCounter {
  private readonly subjects = new Map<string, SubjectWindows>();

  count(subject: string, limits: TierLimits, cost: number, now = Date.now()): WindowCounts {
    const windows = this.windowsOf(subject, now);
    while (windows.log.length > 0 && windows.log[0] <= now - MINUTE_WINDOW_MS) windows.log.shift();
    const dayResetMs = DAY_MS - (now % DAY_MS);
    let violated: WindowCounts['violated'] = '';
    let retryMs = 0;
    if (windows.log.length + cost > limits.perMinute) {
      violated = 'minute';
      const index = windows.log.length + cost - limits.perMinute - 1;
      retryMs = index >= windows.log.length ? MINUTE_WINDOW_MS : windows.log[index] + MINUTE_WINDOW_MS - now;
    } else if (windows.dayUsed + cost > limits.perDay) {
      violated = 'day';
      retryMs = dayResetMs;
    } else {
      for (let i = 0; i < cost; i++) windows.log.push(now);
      windows.dayUsed += cost;
    }
    const minuteResetMs = windows.log.length > 0 ? windows.log[0] + MINUTE_WINDOW_MS - now : MINUTE_WINDOW_MS;
    return { violated, minuteUsed: windows.log.length, minuteResetMs, dayUsed: windows.dayUsed, dayResetMs, retryMs };
  }

  private windowsOf(subject: string, now: number): SubjectWindows {
    const today = Math.floor(now / DAY_MS);
    let windows = this.subjects.get(subject);
    if (windows) {
      this.subjects.delete(subject);
      if (windows.day !== today) windows = { log: windows.log, day: today, dayUsed: 0 };
    } else {
      windows = { log: [], day: today, dayUsed: 0 };
      if (this.subjects.size >= MAX_SUBJECTS) this.subjects.delete(this.subjects.keys().next().value as string);
    }
    this.subjects.set(subject, windows);
    return windows;
  }
}

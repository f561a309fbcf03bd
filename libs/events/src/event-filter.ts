import { ProblemException } from '@strata/core';
import { isEventPattern } from './event-types';

/** More than every event type and pattern there is: a longer list is not a real subscription. */
const MAX_PATTERNS = 50;

/**
 * The patterns of a `types` filter (`page.*,media.uploaded`; `?types=a&types=b` arrives as an
 * array and means the same); `*` when none is given. Throws a 400 problem naming what is wrong.
 */
export function parseEventFilter(types: string | string[] | undefined): string[] {
  const patterns = [types ?? '*']
    .flat()
    .join(',')
    .split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  const invalid = patterns.filter((pattern) => !isEventPattern(pattern));
  if (patterns.length === 0 || invalid.length > 0 || patterns.length > MAX_PATTERNS) {
    const named = invalid.slice(0, 5).map((pattern) => JSON.stringify(pattern.slice(0, 60)));
    const detail =
      patterns.length > MAX_PATTERNS ? `At most ${MAX_PATTERNS} event types may be given.` : `Unknown event types: ${named.join(', ') || '(none given)'}.`;
    throw ProblemException.badRequest(detail, {
      types: ['each type must be an event type, a `resource.*` pattern or `*`'],
    });
  }
  return patterns;
}

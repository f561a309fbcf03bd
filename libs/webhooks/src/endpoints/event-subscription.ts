import { ProblemException } from '@strata/core';
import { isEventPattern } from '@strata/events';

/**
 * Checks event patterns against the catalog: a well-formed request naming an event Strata does
 * not emit is understood but cannot be honoured, hence 422 (not 400), naming the bad entries.
 */
export function assertEventPatterns(field: string, patterns: readonly string[]): string[] {
  const unknown = patterns.filter((pattern) => !isEventPattern(pattern));
  if (unknown.length > 0) {
    throw ProblemException.unprocessable(
      `Unknown event types: ${unknown.join(', ')}. See GET /api/v1/event-types; wildcards such as page.* and * are accepted.`,
      {
        [field]: unknown.map((pattern) => `${pattern} is not an event type of the catalog, a resource wildcard such as page.* or *`),
      },
    );
  }
  return [...new Set(patterns)];
}

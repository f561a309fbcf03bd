import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

/**
 * How deeply a JSON body may nest. Far above any real request (metadata fields have their own,
 * smaller bound); far below what the recursive validators (class-transformer) survive: a body
 * of a few thousand nested objects overflowed their stack and answered 500.
 */
export const MAX_JSON_BODY_DEPTH = 64;

/** A 4xx the problem filter renders with this message as its detail. */
function badBody(detail: string): Error & { statusCode: number } {
  return Object.assign(new Error(detail), { statusCode: 400 });
}

/** Whether a parsed value nests deeper than `limit` (iterative: the check itself cannot overflow). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * Fastify's JSON body parsing (secure-json-parse, prototype poisoning refused), plus a nesting
 * limit, so that a hostile body gets a 400 before any validator walks it.
 */
export function parseJsonBodies(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text === '') return done(badBody('The body is empty but its Content-Type is application/json.'), undefined);
    let value: unknown;
    try {
      value = secureJson.parse(text, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return done(badBody('The body is not valid JSON.'), undefined);
    }
    if (nestsDeeperThan(value, MAX_JSON_BODY_DEPTH)) return done(badBody(`The body nests deeper than ${MAX_JSON_BODY_DEPTH} levels.`), undefined);
    done(null, value);
  });
}

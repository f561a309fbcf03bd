import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries `Bearer <expected>`. Both sides are hashed first so
 * the comparison takes the same time whatever the token's length and content.
 */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  const presented = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
  if (!presented) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

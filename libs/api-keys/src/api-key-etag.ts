import { createHash } from 'node:crypto';
import type { ApiKeyDto } from './api-key.dto';

/**
 * A key's strong ETag: a digest of its representation (keys have no version column), used by
 * GET and compared with If-Match by PATCH. `usageCount` and `lastUsedAt` are part of the
 * representation, so a flush of usage changes it too: a PATCH whose If-Match predates it gets
 * 412 and must GET again.
 */
export function apiKeyEtag(key: ApiKeyDto): string {
  return `"${createHash('sha256').update(JSON.stringify(key)).digest('base64url').slice(0, 32)}"`;
}

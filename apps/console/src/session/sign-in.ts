import type { ApiClient } from '../api/client';
import type { ApiKeySelfDto } from '../api/types';

/**
 * Signs in with a key: asks the API who the key is (`GET /api-keys/self`, which any valid key may
 * call) and answers its scopes. Nothing is tried and refused, so signing in adds no `forbidden`
 * outcome to the key's usage. A 401 (unknown, revoked, expired key) or a 429 is thrown as the
 * problem the API gave.
 */
export async function scopesOfKey(api: ApiClient): Promise<string[]> {
  const self = await api.get<ApiKeySelfDto>('api-keys/self');
  return self.scopes;
}

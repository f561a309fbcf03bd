import type { TestApp } from './test-app';

export interface IssuedKey {
  id: string;
  key: string;
  start: string;
  [field: string]: unknown;
}

/** Creates a key with the environment's admin key; `fields` override the defaults. */
export async function createKey(strata: TestApp, fields: Record<string, unknown> = {}): Promise<IssuedKey> {
  const response = await strata
    .api()
    .post('/api/v1/api-keys')
    .send({ name: 'test key', scopes: ['content:read', 'content:write'], tier: 'free', ...fields })
    .expect(201);
  return response.body as IssuedKey;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Polls until `check` holds; returns the elapsed milliseconds, or throws after `timeoutMs`. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 25): Promise<number> {
  const startedAt = Date.now();
  while (Date.now() - startedAt < timeoutMs) {
    if (await check()) return Date.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** The scopes an API key can hold (the API's own list); `admin` implies every other one. */
export const SCOPES = ['content:read', 'content:write', 'relationships:write', 'webhooks:manage', 'keys:manage', 'cache:admin', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a signed-in key may do, as the console asks before showing an action. */
export interface Capabilities {
  scopes: readonly string[];
  can(scope: Scope): boolean;
}

export function capabilitiesOf(scopes: readonly string[]): Capabilities {
  const held = new Set(scopes);
  return { scopes, can: (scope) => held.has('admin') || held.has(scope) };
}

/** The console's pages and the scope each needs to be shown at all. */
export const PAGE_SCOPES = {
  overview: 'content:read',
  content: 'content:read',
  relationships: 'content:read',
  webhooks: 'webhooks:manage',
  keys: 'keys:manage',
  cache: 'cache:admin',
} as const satisfies Record<string, Scope>;

export type PageName = keyof typeof PAGE_SCOPES;

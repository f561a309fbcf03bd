import {
  ENDPOINT_DISABLED_SCHEMA,
  ENDPOINT_FAILING_SCHEMA,
  JsonSchema,
  MEDIA_SCHEMA,
  MODULE_SCHEMA,
  PAGE_SCHEMA,
  PING_SCHEMA,
  RELATIONSHIP_SCHEMA,
} from './event-type-schemas';

/** One entry of the event-type catalog (`GET /api/v1/event-types`). */
export interface EventTypeDefinition {
  type: string;
  description: string;
  /** JSON Schema of the payload's `data`. */
  schema: JsonSchema;
  /** An example `data`. */
  example: Record<string, unknown>;
}

const ID = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';
const AT = '2026-01-15T09:30:00.000Z';
const pageExample = {
  id: ID,
  slug: 'welcome',
  title: 'Welcome',
  body: 'Welcome to **Strata**.',
  status: 'published',
  tags: ['blog'],
  metadata: {},
  version: 1,
  createdAt: AT,
  updatedAt: AT,
};
const moduleExample = {
  id: ID,
  pageId: null,
  kind: 'hero',
  title: 'Hero',
  content: { heading: 'Hello' },
  position: 0,
  tags: [],
  metadata: {},
  version: 1,
  createdAt: AT,
  updatedAt: AT,
};
const mediaExample = {
  id: ID,
  filename: 'team.jpg',
  mimeType: 'image/jpeg',
  sizeBytes: 284512,
  altText: 'The team on the office roof',
  url: `/api/v1/media/${ID}/file`,
  checksum: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  tags: [],
  metadata: {},
  version: 1,
  createdAt: AT,
  updatedAt: AT,
};
const relationshipExample = {
  id: ID,
  source: { type: 'page', id: ID },
  target: { type: 'media', id: ID },
  type: 'features',
  inverseType: 'featured_in',
  metadata: {},
  createdAt: AT,
  updatedAt: AT,
};
const endpointExample = { endpointId: ID, url: 'https://example.com/hooks/strata' };

/**
 * Every event Strata emits: the one source of truth for the catalog route, the OpenAPI
 * document and the validation of endpoint subscriptions.
 */
export const EVENT_CATALOG: readonly EventTypeDefinition[] = [
  { type: 'page.created', description: 'A page was created. `data` is the page.', schema: PAGE_SCHEMA, example: pageExample },
  {
    type: 'page.updated',
    description: 'A page was changed. `data` is the page after the change.',
    schema: PAGE_SCHEMA,
    example: { ...pageExample, version: 2 },
  },
  { type: 'page.deleted', description: 'A page was deleted. `data` is the page as it was.', schema: PAGE_SCHEMA, example: pageExample },
  { type: 'module.created', description: 'A module (content block) was created. `data` is the module.', schema: MODULE_SCHEMA, example: moduleExample },
  {
    type: 'module.updated',
    description: 'A module was changed. `data` is the module after the change.',
    schema: MODULE_SCHEMA,
    example: { ...moduleExample, version: 2 },
  },
  { type: 'module.deleted', description: 'A module was deleted. `data` is the module as it was.', schema: MODULE_SCHEMA, example: moduleExample },
  { type: 'media.uploaded', description: 'A media file was uploaded. `data` is the media item.', schema: MEDIA_SCHEMA, example: mediaExample },
  {
    type: 'media.updated',
    description: "A media item's fields were changed. `data` is the item after the change.",
    schema: MEDIA_SCHEMA,
    example: { ...mediaExample, version: 2 },
  },
  { type: 'media.deleted', description: 'A media item and its file were deleted. `data` is the item as it was.', schema: MEDIA_SCHEMA, example: mediaExample },
  {
    type: 'relationship.created',
    description: 'Two content items were linked. `data` is the relationship.',
    schema: RELATIONSHIP_SCHEMA,
    example: relationshipExample,
  },
  {
    type: 'relationship.deleted',
    description: 'A link was removed (also when one of its items was deleted). `data` is the relationship as it was.',
    schema: RELATIONSHIP_SCHEMA,
    example: relationshipExample,
  },
  {
    type: 'webhook.ping',
    description: 'Sent by `POST /webhooks/{id}/test` to that endpoint only; never on the live stream.',
    schema: PING_SCHEMA,
    example: endpointExample,
  },
  {
    type: 'webhook.endpoint.failing',
    description:
      'An endpoint has failed 3 attempts in a row (any deliveries; a success resets the count). Sent once per failing streak, to the live stream and to the other endpoints that subscribe to it, never to the failing endpoint itself.',
    schema: ENDPOINT_FAILING_SCHEMA,
    example: { ...endpointExample, failureCount: 3, lastStatusCode: 503, lastError: null },
  },
  {
    type: 'webhook.endpoint.disabled',
    description:
      'An endpoint was disabled automatically: a delivery failed over the whole retry schedule, or the receiver answered 410 Gone. Sent to the live stream and to the other endpoints that subscribe to it (never to the disabled one). Not sent when a user sets `active: false`.',
    schema: ENDPOINT_DISABLED_SCHEMA,
    example: { ...endpointExample, reason: 'The receiver answered 410 Gone.', failureCount: 1, disabledAt: AT },
  },
];

/** Every event type Strata emits (PRODUCT.md "Webhooks"). */
export const EVENT_TYPES: readonly string[] = EVENT_CATALOG.map((definition) => definition.type);

/** Consecutive failed attempts after which an endpoint is reported as `webhook.endpoint.failing`. */
export const ENDPOINT_FAILING_THRESHOLD = 3;

/** Every dotted prefix of a type (`page`, `webhook`, `webhook.endpoint`): what a `prefix.*` wildcard may name. */
const PREFIXES = new Set(
  EVENT_TYPES.flatMap((type) =>
    type
      .split('.')
      .slice(0, -1)
      .map((_, index, parts) => parts.slice(0, index + 1).join('.')),
  ),
);

/** A subscription pattern is `*`, `<prefix>.*` (`page.*`, `webhook.endpoint.*`) or an exact event type of the catalog. */
export function isEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return PREFIXES.has(pattern.slice(0, -2));
  return EVENT_TYPES.includes(pattern);
}

export function matchesEventPatterns(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}
export type { JsonSchema } from './event-type-schemas';

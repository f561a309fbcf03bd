/**
 * JSON Schemas (draft 2020-12 subset that OpenAPI 3.1 and Ajv both read) of the `data` of every
 * event Strata emits. `data` of a content event is the item's API representation after the
 * change (for `deleted`: as it was before), so these mirror the page, module and media DTOs; an
 * e2e test validates real events against them, so a DTO change that is not reflected here fails.
 */
export type JsonSchema = Record<string, unknown>;

const uuid = { type: 'string', format: 'uuid' };
const dateTime = { type: 'string', format: 'date-time' };
const tags = { type: 'array', items: { type: 'string' } };
const metadata = { type: 'object', additionalProperties: true };

const object = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
  additionalProperties: false,
});

export const PAGE_SCHEMA = object({
  id: uuid,
  slug: { type: 'string' },
  title: { type: 'string' },
  body: { type: 'string' },
  status: { enum: ['draft', 'published', 'archived'] },
  tags,
  metadata,
  version: { type: 'integer', minimum: 1 },
  createdAt: dateTime,
  updatedAt: dateTime,
});

export const MODULE_SCHEMA = object({
  id: uuid,
  pageId: { type: ['string', 'null'], format: 'uuid' },
  kind: { type: 'string' },
  title: { type: 'string' },
  content: { type: 'object', additionalProperties: true },
  position: { type: 'integer' },
  tags,
  metadata,
  version: { type: 'integer', minimum: 1 },
  createdAt: dateTime,
  updatedAt: dateTime,
});

export const MEDIA_SCHEMA = object({
  id: uuid,
  filename: { type: 'string' },
  mimeType: { type: 'string' },
  sizeBytes: { type: 'integer', minimum: 0 },
  altText: { type: 'string' },
  url: { type: 'string' },
  checksum: { type: 'string' },
  tags,
  metadata,
  version: { type: 'integer', minimum: 1 },
  createdAt: dateTime,
  updatedAt: dateTime,
});

const contentRef = object({ type: { enum: ['page', 'module', 'media'] }, id: uuid });

export const RELATIONSHIP_SCHEMA = object({
  id: uuid,
  source: contentRef,
  target: contentRef,
  type: { type: 'string' },
  inverseType: { type: 'string' },
  metadata,
  createdAt: dateTime,
  updatedAt: dateTime,
});

export const PING_SCHEMA = object({ endpointId: uuid, url: { type: 'string' } });

export const ENDPOINT_DISABLED_SCHEMA = object({
  endpointId: uuid,
  url: { type: 'string' },
  reason: { type: 'string' },
  failureCount: { type: 'integer', minimum: 0 },
  disabledAt: dateTime,
});

export const ENDPOINT_FAILING_SCHEMA = object({
  endpointId: uuid,
  url: { type: 'string' },
  failureCount: { type: 'integer', minimum: 1 },
  lastStatusCode: { type: ['integer', 'null'] },
  lastError: { type: ['string', 'null'] },
});

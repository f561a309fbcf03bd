// The API's resources as the console reads them: the fields it uses of the schemas in Strata's
// OpenAPI document (/docs-json), named after them.

export type ContentType = 'page' | 'module' | 'media';
export type PageStatus = 'draft' | 'published' | 'archived';

export interface ListOf<T> {
  data: T[];
  nextCursor: string | null;
}

interface Versioned {
  id: string;
  tags: string[];
  metadata: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface PageDto extends Versioned {
  slug: string;
  title: string;
  body: string;
  status: PageStatus;
}

export interface ModuleDto extends Versioned {
  pageId: string | null;
  kind: string;
  title: string;
  content: Record<string, unknown>;
  position: number;
}

export interface MediaDto extends Versioned {
  filename: string;
  mimeType: string;
  sizeBytes: number;
  altText: string;
  url: string;
  checksum: string;
}

export interface ContentRef {
  type: ContentType;
  id: string;
}

export interface LinkViewDto {
  id: string;
  direction: 'out' | 'in';
  type: string;
  item: ContentRef & { title: string | null };
  createdAt: string;
}

export interface RelationshipTypeDto {
  name: string;
  inverse: string;
}

export interface GraphNodeDto extends ContentRef {
  title: string | null;
  depth: number;
}

export interface GraphEdgeDto {
  id: string;
  source: ContentRef;
  target: ContentRef;
  type: string;
}

export interface GraphDto {
  root: ContentRef;
  depth: number;
  nodes: GraphNodeDto[];
  edges: GraphEdgeDto[];
  truncated: boolean;
  nodeLimit: number;
}

export interface WebhookDto {
  id: string;
  url: string;
  events: string[];
  description: string;
  active: boolean;
  disabledReason: string | null;
  failureCount: number;
  previousSecretExpiresAt: string | null;
  version: number;
  createdAt: string;
}

export interface WebhookWithSecretDto extends WebhookDto {
  secret: string;
}

export interface WindowStatsDto {
  attempts: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  p50LatencyMs: number | null;
  p99LatencyMs: number | null;
}

export interface WebhookStatsDto {
  endpointId: string;
  '1h': WindowStatsDto;
  '24h': WindowStatsDto;
  '7d': WindowStatsDto;
  lastFailure: { attemptedAt: string; deliveryId: string; eventId: string; statusCode: number | null; error: string | null } | null;
}

export interface WebhookAttemptDto {
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
}

export interface WebhookDeliveryDto {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: WebhookAttemptDto[];
  createdAt: string;
}

export interface QueuedDto {
  deliveryId: string;
  eventId: string;
}

export interface EventTypeDto {
  type: string;
  description: string;
}

export interface ApiKeyDto {
  id: string;
  name: string;
  start: string;
  scopes: string[];
  tier: string;
  expiresAt: string | null;
  remaining: number | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  usageCount: number;
  createdAt: string;
}

export interface IssuedApiKeyDto extends ApiKeyDto {
  key: string;
  previousKeyExpiresAt?: string;
}

export interface KeyUsageBucketDto {
  time: string;
  allowed: number;
  rateLimited: number;
  usageExceeded: number;
  forbidden: number;
  total: number;
}

export interface KeyUsageDto {
  keyId: string;
  granularity: 'hour' | 'day';
  data: KeyUsageBucketDto[];
}

export interface VerifyApiKeyResultDto {
  valid: boolean;
  code: string;
  keyId: string | null;
  scopes: string[];
  tier: string | null;
}

export interface LatencyDto {
  p50: number | null;
  p99: number | null;
  samples: number;
}

export interface CacheStatsDto {
  l1Hits: number;
  l2Hits: number;
  misses: number;
  staleHits: number;
  coalesced: number;
  loads: number;
  loadErrors: number;
  l2Errors: number;
  invalidations: number;
  hitRate: number | null;
  l1: { entries: number; bytes: number; maxEntries: number; maxBytes: number };
  l2: { entries: number | null };
  latency: { l1: LatencyDto; l2: LatencyDto; loader: LatencyDto };
  since: string;
}

export interface CacheSummaryDto {
  status: 'ok' | 'degraded';
  l2: 'up' | 'unavailable';
  circuit: string;
  bus: string;
  hitRate: number | null;
  warmableTypes: string[];
}

export interface HealthDto {
  status: string;
  info?: Record<string, { status: string } & Record<string, unknown>>;
  error?: Record<string, { status: string } & Record<string, unknown>>;
  details: Record<string, { status: string } & Record<string, unknown>>;
}

/** The content collections, by the path segment the API uses for them. */
export const COLLECTIONS = { page: 'pages', module: 'modules', media: 'media' } as const satisfies Record<ContentType, string>;

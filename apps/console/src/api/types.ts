import type { components } from '@strata/client';

// The API's resources as the console reads them: the schemas of Strata's OpenAPI document, as
// the typed client (packages/client) generates them, so the console cannot drift from the API.
type Schemas = components['schemas'];

export type ContentType = Schemas['ContentRefDto']['type'];
export type PageStatus = Schemas['PageDto']['status'];

export interface ListOf<T> {
  data: T[];
  nextCursor: string | null;
}

export type PageDto = Schemas['PageDto'];
export type ModuleDto = Schemas['ModuleDto'];
export type MediaDto = Schemas['MediaDto'];
export type ContentRef = Schemas['ContentRefDto'];
export type LinkViewDto = Schemas['LinkViewDto'];
export type RelationshipTypeDto = Schemas['RelationshipTypeDto'];
export type GraphDto = Schemas['GraphDto'];
export type WebhookDto = Schemas['WebhookDto'];
export type WebhookWithSecretDto = Schemas['WebhookWithSecretDto'];
export type WebhookStatsDto = Schemas['WebhookStatsDto'];
export type WebhookDeliveryDto = Schemas['WebhookDeliveryDto'];
export type QueuedDto = Schemas['QueuedDto'];
export type ApiKeyDto = Schemas['ApiKeyDto'];
export type IssuedApiKeyDto = Schemas['IssuedApiKeyDto'];
export type KeyUsageDto = Schemas['KeyUsageDto'];
export type ApiKeySelfDto = Schemas['ApiKeySelfDto'];
export type CacheStatsDto = Omit<Schemas['CacheStatsDto'], 'l1' | 'l2' | 'latency'> & CacheStatsDetail;

/** The parts of the cache statistics that the OpenAPI document gives only as `object`. */
interface CacheStatsDetail {
  l1: { entries: number; bytes: number; maxEntries: number; maxBytes: number };
  l2: { entries: number | null };
  latency: Record<'l1' | 'l2' | 'loader', { p50: number | null; p99: number | null; samples: number }>;
}
export type CacheSummaryDto = Schemas['CacheSummaryDto'];
export type FlushResultDto = Schemas['FlushResultDto'];
export type WarmAcceptedDto = Schemas['WarmAcceptedDto'];

/** The health probes' body (Terminus' shape; outside /api/v1, so not among the schemas). */
export interface HealthDto {
  status: string;
  details?: Record<string, { status: string } & Record<string, unknown>>;
}

/** The content collections, by the path segment the API uses for them. */
export const COLLECTIONS = { page: 'pages', module: 'modules', media: 'media' } as const satisfies Record<ContentType, string>;

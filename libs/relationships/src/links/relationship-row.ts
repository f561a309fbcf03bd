import type { ContentKind, ContentRef } from '@strata/content';
import type { RelationshipTypeRegistry } from '../types/relationship-type-registry';

/** A row of `relationships`, as the queries of this module select it. */
export interface RelationshipRow {
  id: string;
  source_type: ContentKind;
  source_id: string;
  target_type: ContentKind;
  target_id: string;
  type: string;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export const RELATIONSHIP_COLUMNS = 'id, source_type, source_id, target_type, target_id, type, metadata, created_at, updated_at';

/** A relationship as the API and its events show it. */
export interface Relationship {
  id: string;
  source: ContentRef;
  target: ContentRef;
  type: string;
  /** The type as seen from the target. */
  inverseType: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export function toRelationship(row: RelationshipRow, registry: RelationshipTypeRegistry): Relationship {
  return {
    id: row.id,
    source: { type: row.source_type, id: row.source_id },
    target: { type: row.target_type, id: row.target_id },
    type: row.type,
    inverseType: registry.inverseOf(row.type),
    metadata: row.metadata,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const sourceOf = (row: RelationshipRow): ContentRef => ({ type: row.source_type, id: row.source_id });
export const targetOf = (row: RelationshipRow): ContentRef => ({ type: row.target_type, id: row.target_id });

import type { ContentRef } from '@strata/content';
import type { RelationshipTypeRegistry } from '../types/relationship-type-registry';

export type LinkDirection = 'out' | 'in' | 'both';

/** Which stored types to select on each side for `?direction=&type=` of one item's links. */
export interface LinkFilter {
  /** Outgoing links (the item is the source), or null when not wanted. */
  outgoing: { type: string | null } | null;
  /** Incoming links (the item is the target), or null when not wanted. */
  incoming: { type: string | null } | null;
}

/**
 * Incoming links are shown with the inverse type (a page's `parent` link seen from its target is
 * `child`), so a filter by `type` matches incoming links stored as the inverse of that type.
 */
export function linkFilter(direction: LinkDirection, type: string | undefined, registry: RelationshipTypeRegistry): LinkFilter {
  const inverse = type === undefined ? null : registry.inverseOf(type);
  return {
    outgoing: direction === 'in' ? null : { type: type ?? null },
    incoming: direction === 'out' ? null : { type: inverse },
  };
}

/** One link as seen from one of its ends. */
export interface LinkView {
  id: string;
  direction: 'out' | 'in';
  /** The stored type for outgoing links, its inverse for incoming ones. */
  type: string;
  item: ContentRef & { title: string | null };
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface LinkSide {
  id: string;
  direction: 'out' | 'in';
  storedType: string;
  other: ContentRef;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export function toLinkView(link: LinkSide, title: string | null, registry: RelationshipTypeRegistry): LinkView {
  return {
    id: link.id,
    direction: link.direction,
    type: link.direction === 'out' ? link.storedType : registry.inverseOf(link.storedType),
    item: { ...link.other, title },
    metadata: link.metadata,
    createdAt: link.createdAt.toISOString(),
  };
}

import { Injectable, OnModuleInit } from '@nestjs/common';
import { ContentCacheInvalidation, ContentChange, ContentChanges } from '@strata/content';
import { DomainEvents } from '@strata/events';
import type { EntityManager } from 'typeorm';
import { relationshipReadsToDrop } from '../relationship-cache';
import { RelationshipTypesService } from '../types/relationship-types.service';
import { RELATIONSHIP_COLUMNS, RelationshipRow, toRelationship } from './relationship-row';

/**
 * Relationship ends are polymorphic, so no foreign key deletes a deleted item's links: this does,
 * inside the transaction that deletes the item (single delete, batch or page delete alike), with
 * a `relationship.deleted` event for each. After the commit, the cached reads that showed the
 * item or its links are dropped with the content's own (ContentCacheInvalidation.alsoDrop); an
 * updated item drops them too, since they show its title.
 */
@Injectable()
export class RelationshipCascade implements OnModuleInit {
  /** The links each delete removed, keyed by its change (the same object reaches the commit listeners). */
  private readonly removed = new WeakMap<ContentChange, string[]>();

  constructor(
    private readonly changes: ContentChanges,
    private readonly types: RelationshipTypesService,
    private readonly events: DomainEvents,
    private readonly invalidation: ContentCacheInvalidation,
  ) {}

  onModuleInit(): void {
    this.changes.onWrite((manager, change) => (change.action === 'deleted' ? this.deleteLinks(manager, change) : Promise.resolve()));
    this.invalidation.alsoDrop((committed) => this.readsToDrop(committed));
  }

  private async deleteLinks(manager: EntityManager, change: ContentChange): Promise<void> {
    const [rows]: [RelationshipRow[]] = await manager.query(
      `DELETE FROM relationships
        WHERE (source_type = $1 AND source_id = $2) OR (target_type = $1 AND target_id = $2)
        RETURNING ${RELATIONSHIP_COLUMNS}`,
      [change.kind, change.id],
    );
    if (rows.length === 0) return;
    const registry = await this.types.registry(...rows.map((row) => row.type));
    for (const row of rows) await this.events.record(manager, 'relationship.deleted', toRelationship(row, registry));
    this.removed.set(
      change,
      rows.map((row) => row.id),
    );
  }

  private readsToDrop(committed: ContentChange[]): { tags: string[]; keys: string[] } {
    const touched = committed.filter((change) => change.action !== 'created');
    const removedIds = touched.flatMap((change) => this.removed.get(change) ?? []);
    const items = touched.map((change) => ({ type: change.kind, id: change.id }));
    return relationshipReadsToDrop(items, { linksChanged: removedIds.length > 0, removedIds });
  }
}

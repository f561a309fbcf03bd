import { Injectable } from '@nestjs/common';
import { ReadConnections } from '@strata/core';
import type { EntityManager } from 'typeorm';
import type { ContentKind } from './content-changes';

/** A content item as other modules name it. */
export interface ContentRef {
  type: ContentKind;
  id: string;
}

/** What other modules may show of an item they link to. */
export interface ContentSummary {
  title: string;
}

/** Table and display column of each kind; fixed names, never from input. */
const TABLES: Record<ContentKind, { table: string; title: string }> = {
  page: { table: 'pages', title: 'title' },
  module: { table: 'modules', title: 'title' },
  media: { table: 'media', title: 'filename' },
};

export const contentRefKey = (ref: ContentRef): string => `${ref.type}:${ref.id}`;

/**
 * Existence checks and summaries of content items for modules that point at them
 * (relationships), so that they never read the content tables themselves.
 */
@Injectable()
export class ContentLookup {
  /** Existence and summaries serve cached reads (graph walks, link lists), so they may come from a replica. */
  constructor(private readonly reads: ReadConnections) {}

  async exists(ref: ContentRef): Promise<boolean> {
    const rows: unknown[] = await this.reads.read((manager) => manager.query(`SELECT 1 FROM ${TABLES[ref.type].table} WHERE id = $1`, [ref.id]));
    return rows.length > 0;
  }

  /**
   * The refs that do not exist, checked inside the caller's transaction with `FOR SHARE`: the
   * rows that do exist stay locked until it ends, so a concurrent delete of one of them waits for
   * the caller's commit (and then sees what it wrote) instead of slipping in between.
   */
  async lockExisting(manager: EntityManager, refs: ContentRef[]): Promise<ContentRef[]> {
    const found = new Set<string>();
    for (const [type, ids] of groupByType(refs)) {
      const rows: { id: string }[] = await manager.query(`SELECT id FROM ${TABLES[type].table} WHERE id = ANY($1::uuid[]) ORDER BY id FOR SHARE`, [ids]);
      for (const row of rows) found.add(contentRefKey({ type, id: row.id }));
    }
    return refs.filter((ref) => !found.has(contentRefKey(ref)));
  }

  /** Summaries of the items that exist, by `contentRefKey`. */
  async summaries(refs: ContentRef[]): Promise<Map<string, ContentSummary>> {
    const result = new Map<string, ContentSummary>();
    for (const [type, ids] of groupByType(refs)) {
      const { table, title } = TABLES[type];
      const rows: { id: string; title: string }[] = await this.reads.read((manager) =>
        manager.query(`SELECT id, ${title} AS title FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]),
      );
      for (const row of rows) result.set(contentRefKey({ type, id: row.id }), { title: row.title });
    }
    return result;
  }
}

function groupByType(refs: ContentRef[]): Map<ContentKind, string[]> {
  const groups = new Map<ContentKind, string[]>();
  for (const ref of refs) groups.set(ref.type, [...(groups.get(ref.type) ?? []), ref.id]);
  return groups;
}

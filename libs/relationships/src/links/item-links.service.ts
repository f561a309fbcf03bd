import { Injectable } from '@nestjs/common';
import { CacheService } from '@strata/cache';
import { ContentLookup, ContentRef, contentRefKey } from '@strata/content';
import { decodeCursor, encodeCursor, ProblemException, ReadConnections } from '@strata/core';
import { itemLinksKey, linksTag } from '../relationship-cache';
import { RelationshipTypesService } from '../types/relationship-types.service';
import { LinkDirection, LinkFilter, linkFilter, LinkSide, LinkView, toLinkView } from './link-view';

const ID_SORT = 'id';

interface LinkSideRow {
  id: string;
  direction: 'out' | 'in';
  type: string;
  other_type: ContentRef['type'];
  other_id: string;
  metadata: Record<string, unknown>;
  created_at: Date;
}

export interface ItemLinksQuery {
  direction: LinkDirection;
  type?: string;
  limit: number;
  cursor?: string;
}

/**
 * GET /{collection}/{id}/relationships: one item's links from its own point of view, in id order
 * across both directions (each side is one range scan of its index, merged by id).
 */
@Injectable()
export class ItemLinksService {
  constructor(
    private readonly reads: ReadConnections,
    private readonly types: RelationshipTypesService,
    private readonly content: ContentLookup,
    private readonly cache: CacheService,
  ) {}

  async read(item: ContentRef, query: ItemLinksQuery): Promise<{ data: LinkView[]; nextCursor: string | null }> {
    const registry = await this.types.registry(...(query.type === undefined ? [] : [query.type]));
    const filter = linkFilter(query.direction, query.type, registry);
    const afterId = query.cursor ? decodeCursor(query.cursor, ID_SORT).id : undefined;
    // Tagged with every item shown at the other end, found by the query: a change to any drops it.
    return this.cache.getOrLoad(
      itemLinksKey(item, query),
      async ({ addTags }) => {
        if (!(await this.content.exists(item))) throw ProblemException.notFound(`${label(item)} does not exist.`);
        const sides = await this.sides(item, filter, afterId, query.limit + 1);
        const page = sides.slice(0, query.limit);
        addTags(...page.map((side) => linksTag(side.other)));
        const summaries = await this.content.summaries(page.map((side) => side.other));
        const known = await this.types.registry(...page.map((side) => side.storedType));
        const data = page.map((side) => toLinkView(side, summaries.get(contentRefKey(side.other))?.title ?? null, known));
        const last = page[page.length - 1];
        return { data, nextCursor: sides.length > query.limit ? encodeCursor({ sort: ID_SORT, value: last.id, id: last.id }) : null };
      },
      { tags: [linksTag(item)] },
    );
  }

  /** Outgoing and incoming links in id order, each side read by its own index. */
  private async sides(item: ContentRef, filter: LinkFilter, afterId: string | undefined, limit: number): Promise<LinkSide[]> {
    const parameters: unknown[] = [item.type, item.id];
    const bind = (value: unknown) => `$${parameters.push(value)}`;
    const after = afterId ? ` AND id > ${bind(afterId)}` : '';
    const branches: string[] = [];
    if (filter.outgoing) {
      const type = filter.outgoing.type ? ` AND type = ${bind(filter.outgoing.type)}` : '';
      branches.push(`(SELECT id, 'out' AS direction, type, target_type AS other_type, target_id AS other_id, metadata, created_at
         FROM relationships WHERE source_type = $1 AND source_id = $2${type}${after} ORDER BY id LIMIT ${bind(limit)})`);
    }
    if (filter.incoming) {
      const type = filter.incoming.type ? ` AND type = ${bind(filter.incoming.type)}` : '';
      branches.push(`(SELECT id, 'in' AS direction, type, source_type AS other_type, source_id AS other_id, metadata, created_at
         FROM relationships WHERE target_type = $1 AND target_id = $2${type}${after} ORDER BY id LIMIT ${bind(limit)})`);
    }
    const sql = `SELECT * FROM (${branches.join(' UNION ALL ')}) links ORDER BY id LIMIT ${bind(limit)}`;
    const rows: LinkSideRow[] = await this.reads.read((manager) => manager.query(sql, parameters));
    return rows.map((row) => ({
      id: row.id,
      direction: row.direction,
      storedType: row.type,
      other: { type: row.other_type, id: row.other_id },
      metadata: row.metadata,
      createdAt: row.created_at,
    }));
  }
}

const LABELS: Record<ContentRef['type'], string> = { page: 'Page', module: 'Module', media: 'Media item' };

export function label(item: ContentRef): string {
  return `${LABELS[item.type]} ${item.id}`;
}

import { Injectable } from '@nestjs/common';
import { CacheService, LoadContext } from '@strata/cache';
import { ContentLookup, ContentRef, contentRefKey } from '@strata/content';
import { ProblemException, ReadConnections } from '@strata/core';
import { label } from '../links/item-links.service';
import { graphKey, linksTag } from '../relationship-cache';
import { RelationshipTypesService } from '../types/relationship-types.service';
import type { GraphDto, GraphQueryDto } from './graph.dto';
import { GRAPH_SQL, GraphRow } from './graph-query';

/**
 * GET /{collection}/{id}/graph: the neighbourhood of an item, through the cache. The entry is
 * tagged with every node it shows, so a link created or deleted at any of them, or any of them
 * updated or deleted, drops it. (When truncated, a change among the nodes left out is not seen
 * until the TTL; those nodes are not shown anyway.)
 */
@Injectable()
export class GraphService {
  constructor(
    private readonly reads: ReadConnections,
    private readonly types: RelationshipTypesService,
    private readonly content: ContentLookup,
    private readonly cache: CacheService,
  ) {}

  async read(root: ContentRef, query: GraphQueryDto): Promise<GraphDto> {
    const registry = await this.types.registry(...(query.type === undefined ? [] : [query.type]));
    const followed = query.type === undefined ? null : [...new Set([query.type, registry.inverseOf(query.type)])];
    const load = async ({ addTags }: LoadContext) => {
      if (!(await this.content.exists(root))) throw ProblemException.notFound(`${label(root)} does not exist.`);
      return this.walk(root, query.depth, followed, query.limit, addTags);
    };
    // Tagged with every node it shows, found by the walk: a change to any of them drops it.
    return this.cache.getOrLoad(graphKey(root, query), load, { tags: [linksTag(root)] });
  }

  private async walk(root: ContentRef, depth: number, followed: string[] | null, limit: number, found: LoadContext['addTags']): Promise<GraphDto> {
    const rows: GraphRow[] = await this.reads.read((manager) => manager.query(GRAPH_SQL, [root.type, root.id, depth, followed, limit + 1]));
    const reached = rows.filter((row) => row.kind === 'node');
    const truncated = reached.length > limit;
    const kept = reached.slice(0, limit).map((row) => ({ type: row.node_type!, id: row.node_id!, depth: Number(row.depth) }));
    found(...kept.map(linksTag));
    const keys = new Set(kept.map(contentRefKey));
    const summaries = await this.content.summaries(kept);
    const edges = rows
      .filter((row) => row.kind === 'edge')
      .map((row) => ({
        id: row.id!,
        source: { type: row.source_type!, id: row.source_id! },
        target: { type: row.target_type!, id: row.target_id! },
        type: row.type!,
      }))
      .filter((edge) => keys.has(contentRefKey(edge.source)) && keys.has(contentRefKey(edge.target)))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      root,
      depth,
      nodes: kept.map((node) => ({ ...node, title: summaries.get(contentRefKey(node))?.title ?? null })),
      edges,
      truncated,
      nodeLimit: limit,
    };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CacheService } from '@strata/cache';
import { ContentLookup } from '@strata/content';
import { decodeCursor, encodeCursor, ProblemException, ReadConnections } from '@strata/core';
import { DomainEvents } from '@strata/events';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { dropRelationshipReads, RELATIONSHIP_LISTS_TAG, relationshipKey, relationshipListKey } from '../relationship-cache';
import { RelationshipTypesService } from '../types/relationship-types.service';
import { unknownType } from '../types/relationship-type-registry';
import { Relationship, RELATIONSHIP_COLUMNS, RelationshipRow, toRelationship } from './relationship-row';
import type { CreateRelationshipDto, RelationshipListQueryDto } from './relationship.dto';

/** Keyset pages of relationships go by id (UUIDv7: creation order). */
const ID_SORT = 'id';

/**
 * Creating, reading, listing and deleting relationships. Writes check both ends under a share
 * lock, record their domain event in the same transaction, and drop the cached reads of both
 * ends once committed.
 */
@Injectable()
export class RelationshipsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reads: ReadConnections,
    private readonly types: RelationshipTypesService,
    private readonly content: ContentLookup,
    private readonly events: DomainEvents,
    private readonly cache: CacheService,
  ) {}

  async create(dto: CreateRelationshipDto): Promise<Relationship> {
    if (dto.source.type === dto.target.type && dto.source.id.toLowerCase() === dto.target.id.toLowerCase()) {
      throw ProblemException.unprocessable('An item cannot be linked to itself.', { target: ['target must differ from source'] });
    }
    const registry = await this.types.registry(dto.type);
    if (!registry.has(dto.type))
      throw unknownType(
        dto.type,
        'type',
        registry.types().map((row) => row.name),
      );

    const relationship = await this.dataSource.transaction(async (manager) => {
      const missing = await this.content.lockExisting(manager, [dto.source, dto.target]);
      if (missing.length > 0) {
        const ends = (['source', 'target'] as const).filter((end) => missing.some((ref) => ref.type === dto[end].type && ref.id === dto[end].id));
        throw ProblemException.unprocessable(
          `The ${ends.join(' and ')} of the relationship ${ends.length > 1 ? 'do' : 'does'} not exist.`,
          Object.fromEntries(ends.map((end) => [end, [`${dto[end].type} ${dto[end].id} does not exist`]])),
        );
      }
      // ON CONFLICT instead of catching the unique violation: the transaction stays usable.
      const rows: RelationshipRow[] = await manager.query(
        `INSERT INTO relationships (id, source_type, source_id, target_type, target_id, type, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT ON CONSTRAINT relationships_link_unique DO NOTHING
         RETURNING ${RELATIONSHIP_COLUMNS}`,
        [uuidv7(), dto.source.type, dto.source.id, dto.target.type, dto.target.id, dto.type, JSON.stringify(dto.metadata ?? {})],
      );
      if (rows.length === 0) {
        throw ProblemException.conflict(
          `A "${dto.type}" relationship from ${dto.source.type} ${dto.source.id} to ${dto.target.type} ${dto.target.id} already exists.`,
        );
      }
      const created = toRelationship(rows[0], registry);
      await this.events.record(manager, 'relationship.created', created);
      return created;
    });
    await dropRelationshipReads(this.cache, [relationship.source, relationship.target], { linksChanged: true });
    return relationship;
  }

  /** Cached by id; a delete, direct or cascaded, drops that key after its commit. */
  read(id: string): Promise<Relationship> {
    return this.cache.getOrLoad(relationshipKey(id), async () => {
      const [row]: RelationshipRow[] = await this.reads.read((manager) =>
        manager.query(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE id = $1`, [id]),
      );
      if (!row) throw notFound(id);
      return toRelationship(row, await this.types.registry(row.type));
    });
  }

  async remove(id: string): Promise<void> {
    const relationship = await this.dataSource.transaction(async (manager) => {
      const [rows]: [RelationshipRow[]] = await manager.query(`DELETE FROM relationships WHERE id = $1 RETURNING ${RELATIONSHIP_COLUMNS}`, [id]);
      if (!rows[0]) throw notFound(id);
      const deleted = toRelationship(rows[0], await this.types.registry(rows[0].type));
      await this.events.record(manager, 'relationship.deleted', deleted);
      return deleted;
    });
    await dropRelationshipReads(this.cache, [relationship.source, relationship.target], { linksChanged: true, removedIds: [id] });
  }

  readList(query: RelationshipListQueryDto): Promise<{ data: Relationship[]; nextCursor: string | null }> {
    for (const end of ['source', 'target'] as const) {
      if ((query[`${end}Type`] === undefined) !== (query[`${end}Id`] === undefined)) {
        throw ProblemException.badRequest(`Filter by ${end} with ${end}Type and ${end}Id together.`, { [`${end}Id`]: [`${end}Type and ${end}Id go together`] });
      }
    }
    const after = query.cursor ? decodeCursor(query.cursor, ID_SORT) : undefined;
    return this.cache.getOrLoad(relationshipListKey(query), () => this.list(query, after?.id), { tags: [RELATIONSHIP_LISTS_TAG] });
  }

  private async list(query: RelationshipListQueryDto, afterId: string | undefined): Promise<{ data: Relationship[]; nextCursor: string | null }> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    const where = (sql: string, ...values: unknown[]) => {
      conditions.push(sql.replace(/\?/g, () => `$${parameters.push(values.shift())}`));
    };
    if (query.sourceType) where('source_type = ? AND source_id = ?', query.sourceType, query.sourceId);
    if (query.targetType) where('target_type = ? AND target_id = ?', query.targetType, query.targetId);
    if (query.type) where('type = ?', query.type);
    if (afterId) where('id > ?', afterId);
    parameters.push(query.limit + 1);
    const sql = `SELECT ${RELATIONSHIP_COLUMNS} FROM relationships ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY id LIMIT $${parameters.length}`;
    const rows: RelationshipRow[] = await this.reads.read((manager) => manager.query(sql, parameters));
    const page = rows.slice(0, query.limit);
    const registry = await this.types.registry(...page.map((row) => row.type));
    return {
      data: page.map((row) => toRelationship(row, registry)),
      nextCursor: rows.length > query.limit ? encodeCursor({ sort: ID_SORT, value: page[page.length - 1].id, id: page[page.length - 1].id }) : null,
    };
  }
}

function notFound(id: string): ProblemException {
  return ProblemException.notFound(`Relationship ${id} does not exist.`);
}

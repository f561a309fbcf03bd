import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CacheService } from '@strata/cache';
import type { DataSource } from 'typeorm';
import { RELATIONSHIP_TYPES_KEY, RELATIONSHIP_TYPES_TAG } from '../relationship-cache';
import { RelationshipTypeRegistry, RelationshipTypeRow } from './relationship-type-registry';

/**
 * The registry of relationship types lives in the database, so a type registered on one
 * instance is known to all; reads come from the cache, dropped everywhere on registration.
 */
@Injectable()
export class RelationshipTypesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: CacheService,
  ) {}

  async registry(): Promise<RelationshipTypeRegistry> {
    const rows = await this.cache.getOrLoad(RELATIONSHIP_TYPES_KEY, () => this.load(), { tags: [RELATIONSHIP_TYPES_TAG] });
    return new RelationshipTypeRegistry(rows);
  }

  /** Registers `name` with its `inverse` (both directions); 409 when either name is taken. */
  async register(name: string, inverse: string): Promise<RelationshipTypeRow> {
    await this.dataSource.transaction(async (manager) => {
      // Serializes registrations, so two that pair the same name differently cannot both pass the check.
      await manager.query(`LOCK TABLE relationship_types IN SHARE ROW EXCLUSIVE MODE`);
      const registry = new RelationshipTypeRegistry(await manager.query(`SELECT name, inverse FROM relationship_types`));
      const rows = registry.rowsToRegister(name, inverse);
      await manager.query(`INSERT INTO relationship_types (name, inverse) SELECT * FROM unnest($1::varchar[], $2::varchar[])`, [
        rows.map((row) => row.name),
        rows.map((row) => row.inverse),
      ]);
    });
    await this.cache.deleteByTag(RELATIONSHIP_TYPES_TAG);
    return { name, inverse };
  }

  private load(): Promise<RelationshipTypeRow[]> {
    return this.dataSource.query(`SELECT name, inverse FROM relationship_types ORDER BY name`);
  }
}

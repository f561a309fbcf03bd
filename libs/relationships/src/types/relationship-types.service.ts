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

  /**
   * The registry, from the cache unless it lacks one of `mustKnow`: a type registered a moment
   * ago on another instance may reach this one's cache a little after its first links do, so a
   * name the cached copy does not know is looked up in the database before it is called unknown.
   */
  async registry(...mustKnow: string[]): Promise<RelationshipTypeRegistry> {
    const cached = new RelationshipTypeRegistry(await this.cache.getOrLoad(RELATIONSHIP_TYPES_KEY, () => this.load(), { tags: [RELATIONSHIP_TYPES_TAG] }));
    return mustKnow.every((name) => cached.has(name)) ? cached : new RelationshipTypeRegistry(await this.load());
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

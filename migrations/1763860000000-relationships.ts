import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Content relationships: typed, directed links between any two content items, and the registry
 * of relationship types with their inverses (one row per direction; a symmetric type is one row
 * that is its own inverse). The ends are polymorphic (page, module or media), so they cannot
 * have foreign keys: the relationships module deletes the links of a deleted item in the
 * deleting transaction. Lookups from either end are indexed with `id` last, so a page of links
 * in id (UUIDv7, creation) order is one index range scan.
 */
export class Relationships1763860000000 implements MigrationInterface {
  name = 'Relationships1763860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE relationship_types (
        name varchar(64) PRIMARY KEY,
        inverse varchar(64) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      INSERT INTO relationship_types (name, inverse) VALUES
        ('parent', 'child'), ('child', 'parent'),
        ('related', 'related'),
        ('references', 'referenced-by'), ('referenced-by', 'references'),
        ('gallery', 'in-gallery'), ('in-gallery', 'gallery')`);

    await queryRunner.query(`
      CREATE TABLE relationships (
        id uuid PRIMARY KEY,
        source_type varchar(16) NOT NULL CHECK (source_type IN ('page', 'module', 'media')),
        source_id uuid NOT NULL,
        target_type varchar(16) NOT NULL CHECK (target_type IN ('page', 'module', 'media')),
        target_id uuid NOT NULL,
        type varchar(64) NOT NULL REFERENCES relationship_types (name),
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT relationships_link_unique UNIQUE (source_type, source_id, target_type, target_id, type),
        CONSTRAINT relationships_no_self_link CHECK (source_type <> target_type OR source_id <> target_id)
      )`);
    await queryRunner.query(`CREATE INDEX relationships_source_idx ON relationships (source_type, source_id, id)`);
    await queryRunner.query(`CREATE INDEX relationships_target_idx ON relationships (target_type, target_id, id)`);
    await queryRunner.query(`CREATE INDEX relationships_type_idx ON relationships (type, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE relationships`);
    await queryRunner.query(`DROP TABLE relationship_types`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pages, modules and media. Each table has a generated `search` tsvector (full-text, GIN)
 * and a trigram index on its title-like column (fuzzy `q`), GIN on `tags`, and btree
 * indexes that match the keyset pagination orders `(sort column, id)`.
 * Timestamps keep millisecond precision so that JavaScript dates in cursors compare exactly.
 */
export class ContentTables1763830000000 implements MigrationInterface {
  name = 'ContentTables1763830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await queryRunner.query(`
      CREATE TABLE pages (
        id uuid PRIMARY KEY,
        slug varchar(200) NOT NULL,
        title varchar(500) NOT NULL,
        body text NOT NULL DEFAULT '',
        status varchar(16) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
        tags text[] NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
        ) STORED,
        CONSTRAINT pages_slug_unique UNIQUE (slug)
      )`);
    await queryRunner.query(`CREATE INDEX pages_search_idx ON pages USING gin (search)`);
    await queryRunner.query(`CREATE INDEX pages_title_trgm_idx ON pages USING gin (title gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX pages_tags_idx ON pages USING gin (tags)`);
    await queryRunner.query(`CREATE INDEX pages_created_idx ON pages (created_at, id)`);
    await queryRunner.query(`CREATE INDEX pages_updated_idx ON pages (updated_at, id)`);
    await queryRunner.query(`CREATE INDEX pages_title_idx ON pages (title, id)`);
    await queryRunner.query(`CREATE INDEX pages_status_created_idx ON pages (status, created_at, id)`);

    await queryRunner.query(`
      CREATE TABLE modules (
        id uuid PRIMARY KEY,
        page_id uuid NULL REFERENCES pages (id) ON DELETE SET NULL,
        kind varchar(64) NOT NULL,
        title varchar(500) NOT NULL,
        content jsonb NOT NULL DEFAULT '{}',
        position integer NOT NULL DEFAULT 0,
        tags text[] NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', title), 'A') || setweight(jsonb_to_tsvector('english', content, '["string"]'), 'B')
        ) STORED
      )`);
    await queryRunner.query(`CREATE INDEX modules_search_idx ON modules USING gin (search)`);
    await queryRunner.query(`CREATE INDEX modules_title_trgm_idx ON modules USING gin (title gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX modules_tags_idx ON modules USING gin (tags)`);
    await queryRunner.query(`CREATE INDEX modules_created_idx ON modules (created_at, id)`);
    await queryRunner.query(`CREATE INDEX modules_updated_idx ON modules (updated_at, id)`);
    await queryRunner.query(`CREATE INDEX modules_title_idx ON modules (title, id)`);
    await queryRunner.query(`CREATE INDEX modules_page_position_idx ON modules (page_id, position, id)`);
    await queryRunner.query(`CREATE INDEX modules_kind_created_idx ON modules (kind, created_at, id)`);

    await queryRunner.query(`
      CREATE TABLE media (
        id uuid PRIMARY KEY,
        filename varchar(255) NOT NULL,
        mime_type varchar(255) NOT NULL,
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        alt_text varchar(1000) NOT NULL DEFAULT '',
        checksum char(64) NOT NULL,
        storage_key varchar(255) NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple', filename), 'A') || setweight(to_tsvector('english', alt_text), 'B')
        ) STORED
      )`);
    await queryRunner.query(`CREATE INDEX media_search_idx ON media USING gin (search)`);
    await queryRunner.query(`CREATE INDEX media_filename_trgm_idx ON media USING gin (filename gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX media_tags_idx ON media USING gin (tags)`);
    await queryRunner.query(`CREATE INDEX media_created_idx ON media (created_at, id)`);
    await queryRunner.query(`CREATE INDEX media_updated_idx ON media (updated_at, id)`);
    await queryRunner.query(`CREATE INDEX media_filename_idx ON media (filename, id)`);
    await queryRunner.query(`CREATE INDEX media_mime_created_idx ON media (mime_type, created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE media`);
    await queryRunner.query(`DROP TABLE modules`);
    await queryRunner.query(`DROP TABLE pages`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys. Only a SHA-256 hash of a key is stored (plus its first 8 characters, `start`,
 * so people can tell keys apart). A rotated key keeps its previous hash until
 * `previous_key_expires_at`, the grace period in which the old key still works.
 */
export class ApiKeys1763840000000 implements MigrationInterface {
  name = 'ApiKeys1763840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        name varchar(200) NOT NULL,
        key_hash char(64) NOT NULL,
        start varchar(8) NOT NULL,
        scopes text[] NOT NULL,
        tier varchar(32) NOT NULL,
        expires_at timestamptz(3),
        remaining integer CHECK (remaining >= 0),
        revoked_at timestamptz(3),
        last_used_at timestamptz(3),
        usage_count bigint NOT NULL DEFAULT 0,
        previous_key_hash char(64),
        previous_key_expires_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_key_hash_unique UNIQUE (key_hash)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX api_keys_previous_key_hash_idx ON api_keys (previous_key_hash) WHERE previous_key_hash IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX api_keys_created_idx ON api_keys (created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
  }
}

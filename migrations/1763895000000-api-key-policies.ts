import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key policies and usage analytics (issue 16, items 6 and 7).
 * - `metadata`: the caller's own JSON about the key (an owner, a plan), returned as given.
 * - `ip_allowlist`: CIDRs the key may be used from (NULL: anywhere); validated by the API.
 * - `rate_limit_per_minute` / `rate_limit_per_day`: limits of this key that take precedence
 *   over its tier (both set, or both NULL).
 * - `api_key_usage`: requests per key, UTC hour and outcome, flushed in batches from Redis
 *   (never one write per request). A deleted key's rows go with it.
 */
export class ApiKeyPolicies1763895000000 implements MigrationInterface {
  name = 'ApiKeyPolicies1763895000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE api_keys
        ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN ip_allowlist text[],
        ADD COLUMN rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
        ADD COLUMN rate_limit_per_day integer CHECK (rate_limit_per_day > 0),
        ADD CONSTRAINT api_keys_rate_limit_both CHECK ((rate_limit_per_minute IS NULL) = (rate_limit_per_day IS NULL))`);
    await queryRunner.query(`
      CREATE TABLE api_key_usage (
        key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
        hour timestamptz NOT NULL,
        outcome varchar(16) NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (key_id, hour, outcome)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_key_usage`);
    await queryRunner.query(`
      ALTER TABLE api_keys
        DROP CONSTRAINT api_keys_rate_limit_both,
        DROP COLUMN rate_limit_per_day,
        DROP COLUMN rate_limit_per_minute,
        DROP COLUMN ip_allowlist,
        DROP COLUMN metadata`);
  }
}

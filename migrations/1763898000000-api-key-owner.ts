import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identities (issue 16 item 6): `owner_id` names who a key belongs to (a customer, a user of
 * the caller's own system). Keys with the same owner share one rate-limit budget, and the list
 * can be filtered by owner (hence the index, in the list's order).
 */
export class ApiKeyOwner1763898000000 implements MigrationInterface {
  name = 'ApiKeyOwner1763898000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN owner_id varchar(200)`);
    await queryRunner.query(`CREATE INDEX api_keys_owner_idx ON api_keys (owner_id, created_at, id) WHERE owner_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX api_keys_owner_idx`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN owner_id`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credits that refill (issue 16 item 6): a usage-limited key's `remaining` is set back to
 * `refill_amount` at the start of each UTC day or month (`refill_interval`). Applied lazily by
 * the next charge (the UPDATE that already decrements `remaining`), so no job runs at midnight;
 * `refilled_at` is when it last happened (or the key's creation).
 */
export class ApiKeyRefill1763897000000 implements MigrationInterface {
  name = 'ApiKeyRefill1763897000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE api_keys
        ADD COLUMN refill_amount integer CHECK (refill_amount > 0),
        ADD COLUMN refill_interval varchar(8) CHECK (refill_interval IN ('daily', 'monthly')),
        ADD COLUMN refilled_at timestamptz(3),
        ADD CONSTRAINT api_keys_refill_whole CHECK ((refill_amount IS NULL) = (refill_interval IS NULL) AND (refill_amount IS NULL OR (refilled_at IS NOT NULL AND remaining IS NOT NULL)))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE api_keys DROP CONSTRAINT api_keys_refill_whole, DROP COLUMN refilled_at, DROP COLUMN refill_interval, DROP COLUMN refill_amount`,
    );
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-endpoint delivery throttle (issue 16 item 3, Svix's `rateLimit`): deliveries per second, none when null. */
export class WebhookRateLimit1763899000000 implements MigrationInterface {
  name = 'WebhookRateLimit1763899000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_endpoints ADD COLUMN rate_limit integer NULL CHECK (rate_limit > 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_endpoints DROP COLUMN rate_limit`);
  }
}

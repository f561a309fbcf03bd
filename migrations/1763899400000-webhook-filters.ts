import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Subscription filters per endpoint (issue 16 item 1): `{ "tags": [...] }` narrows a content
 * subscription to items carrying one of the tags. An empty object filters nothing.
 */
export class WebhookFilters1763899400000 implements MigrationInterface {
  name = 'WebhookFilters1763899400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_endpoints ADD COLUMN filters jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_endpoints DROP COLUMN filters`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * FIFO mode per endpoint (issue 16 item 3). The head lookup (oldest pending delivery of an
 * endpoint) gets a partial index so it stays one index probe however long the log is.
 */
export class WebhookFifo1763899100000 implements MigrationInterface {
  name = 'WebhookFifo1763899100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_endpoints ADD COLUMN fifo boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_pending_order_idx ON webhook_deliveries (endpoint_id, created_at, id) WHERE status = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX webhook_deliveries_pending_order_idx`);
    await queryRunner.query(`ALTER TABLE webhook_endpoints DROP COLUMN fifo`);
  }
}

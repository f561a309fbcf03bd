import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook operations (issue 16): attempts carry their endpoint so per-endpoint stats over a time
 * window are one index range scan (endpoint, time) that also holds status and duration; time
 * indexes let retention pruning delete old rows without a scan; deliveries remember the
 * recover/replay job that re-sent them, for its progress.
 */
export class WebhookOperations1763896000000 implements MigrationInterface {
  name = 'WebhookOperations1763896000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_attempts ADD COLUMN endpoint_id uuid NULL`);
    await queryRunner.query(`UPDATE webhook_attempts a SET endpoint_id = d.endpoint_id FROM webhook_deliveries d WHERE d.id = a.delivery_id`);
    await queryRunner.query(`ALTER TABLE webhook_attempts ALTER COLUMN endpoint_id SET NOT NULL`);
    await queryRunner.query(
      `CREATE INDEX webhook_attempts_endpoint_time_idx ON webhook_attempts (endpoint_id, attempted_at) INCLUDE (status_code, duration_ms)`,
    );
    await queryRunner.query(`CREATE INDEX webhook_attempts_attempted_idx ON webhook_attempts (attempted_at)`);

    await queryRunner.query(`
      CREATE TABLE webhook_replays (
        id uuid PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        kind varchar(16) NOT NULL CHECK (kind IN ('recover', 'replay')),
        since timestamptz(3) NOT NULL,
        types text[] NULL,
        total integer NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`ALTER TABLE webhook_deliveries ADD COLUMN replay_id uuid NULL REFERENCES webhook_replays (id) ON DELETE SET NULL`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_replay_idx ON webhook_deliveries (replay_id, status) WHERE replay_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (updated_at) WHERE status <> 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX webhook_deliveries_finished_idx`);
    await queryRunner.query(`ALTER TABLE webhook_deliveries DROP COLUMN replay_id`);
    await queryRunner.query(`DROP TABLE webhook_replays`);
    await queryRunner.query(`DROP INDEX webhook_attempts_attempted_idx`);
    await queryRunner.query(`DROP INDEX webhook_attempts_endpoint_time_idx`);
    await queryRunner.query(`ALTER TABLE webhook_attempts DROP COLUMN endpoint_id`);
  }
}

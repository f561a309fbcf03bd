import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (one row per domain event, written in the transaction of the change
 * it describes) and the webhook tables: endpoints, deliveries (one per event and endpoint) and
 * their attempts. `relayed_at IS NULL` is indexed partially so the relay's scan stays small
 * however long the retention window is.
 */
export class EventsAndWebhooks1763850000000 implements MigrationInterface {
  name = 'EventsAndWebhooks1763850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox_events (
        seq bigserial PRIMARY KEY,
        id varchar(64) NOT NULL UNIQUE,
        type varchar(100) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        relayed_at timestamptz(3) NULL
      )`);
    await queryRunner.query(`CREATE INDEX outbox_events_pending_idx ON outbox_events (seq) WHERE relayed_at IS NULL`);
    await queryRunner.query(`CREATE INDEX outbox_events_relayed_idx ON outbox_events (relayed_at) WHERE relayed_at IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        url varchar(2048) NOT NULL,
        description varchar(500) NOT NULL DEFAULT '',
        events text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        disabled_reason varchar(500) NULL,
        failure_count integer NOT NULL DEFAULT 0,
        secret varchar(200) NOT NULL,
        previous_secret varchar(200) NULL,
        previous_secret_expires_at timestamptz(3) NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX webhook_endpoints_created_idx ON webhook_endpoints (created_at, id)`);

    await queryRunner.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id varchar(64) NOT NULL,
        event_type varchar(100) NOT NULL,
        payload jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempt_count integer NOT NULL DEFAULT 0,
        -- attempts made before the last manual retry: the retry schedule restarts from there
        retry_base integer NOT NULL DEFAULT 0,
        -- bumped by a manual retry so its queue job gets a fresh id
        generation integer NOT NULL DEFAULT 0,
        enqueued_at timestamptz(3) NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_event_endpoint_unique UNIQUE (event_id, endpoint_id)
      )`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at, id)`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_unqueued_idx ON webhook_deliveries (created_at) WHERE enqueued_at IS NULL`);

    await queryRunner.query(`
      CREATE TABLE webhook_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempted_at timestamptz(3) NOT NULL DEFAULT now(),
        status_code integer NULL,
        duration_ms integer NOT NULL,
        response_body text NULL,
        error varchar(1000) NULL
      )`);
    await queryRunner.query(`CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_attempts`);
    await queryRunner.query(`DROP TABLE webhook_deliveries`);
    await queryRunner.query(`DROP TABLE webhook_endpoints`);
    await queryRunner.query(`DROP TABLE outbox_events`);
  }
}

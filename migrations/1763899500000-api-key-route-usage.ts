import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Top routes per key (issue 16 item 7): admitted requests per key, UTC hour and route template
 * (`GET /api/v1/pages/:id`), flushed in batches from Redis like `api_key_usage`.
 */
export class ApiKeyRouteUsage1763899500000 implements MigrationInterface {
  name = 'ApiKeyRouteUsage1763899500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_key_route_usage (
        key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
        hour timestamptz NOT NULL,
        route varchar(300) NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (key_id, hour, route)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_key_route_usage`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** `GET /media?sort=sizeBytes` (and `-sizeBytes`) walks an index like the other sorts, not a sort of the whole table. */
export class MediaSizeIndex1763870000000 implements MigrationInterface {
  name = 'MediaSizeIndex1763870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX media_size_idx ON media (size_bytes, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX media_size_idx`);
  }
}

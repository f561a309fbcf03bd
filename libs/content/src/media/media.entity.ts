import { Column, Entity, PrimaryColumn, ValueTransformer } from 'typeorm';

// node-postgres returns bigint as a string; sizes stay far below 2^53, so a number is exact.
const BIGINT_AS_NUMBER: ValueTransformer = { to: (value: number) => value, from: (value: string) => Number(value) };

/** A row of `media`: what we know about one stored file (the generated `search` column is not mapped). */
@Entity({ name: 'media' })
export class MediaEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('varchar', { length: 255 }) filename: string;
  @Column('varchar', { name: 'mime_type', length: 255 }) mimeType: string;
  @Column('bigint', { name: 'size_bytes', transformer: BIGINT_AS_NUMBER }) sizeBytes: number;
  @Column('varchar', { name: 'alt_text', length: 1000 }) altText: string;
  /** SHA-256 of the bytes, hex. */
  @Column('char', { length: 64 }) checksum: string;
  /** The file's key in MediaStorage; never shown to clients. */
  @Column('varchar', { name: 'storage_key', length: 255 }) storageKey: string;
  @Column('text', { array: true }) tags: string[];
  @Column('jsonb') metadata: Record<string, unknown>;
  @Column('integer') version: number;
  @Column('timestamp with time zone', { name: 'created_at', precision: 3 }) createdAt: Date;
  @Column('timestamp with time zone', { name: 'updated_at', precision: 3 }) updatedAt: Date;
}

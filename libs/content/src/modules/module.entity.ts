import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of `modules`: a content block, optionally placed on a page (the generated `search` column is not mapped). */
@Entity({ name: 'modules' })
export class ModuleEntity {
  @PrimaryColumn('uuid') id: string;
  /** Null for a block that lives on no page; set to null when its page is deleted. */
  @Column('uuid', { name: 'page_id', nullable: true }) pageId: string | null;
  @Column('varchar', { length: 64 }) kind: string;
  @Column('varchar', { length: 500 }) title: string;
  @Column('jsonb') content: Record<string, unknown>;
  @Column('integer') position: number;
  @Column('text', { array: true }) tags: string[];
  @Column('jsonb') metadata: Record<string, unknown>;
  @Column('integer') version: number;
  @Column('timestamp with time zone', { name: 'created_at', precision: 3 }) createdAt: Date;
  @Column('timestamp with time zone', { name: 'updated_at', precision: 3 }) updatedAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PAGE_STATUSES = ['draft', 'published', 'archived'] as const;
export type PageStatus = (typeof PAGE_STATUSES)[number];

/** A row of `pages` (the generated `search` column is not mapped: it is only queried). */
@Entity({ name: 'pages' })
export class PageEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('varchar', { length: 200 }) slug: string;
  @Column('varchar', { length: 500 }) title: string;
  @Column('text') body: string;
  @Column('varchar', { length: 16 }) status: PageStatus;
  @Column('text', { array: true }) tags: string[];
  @Column('jsonb') metadata: Record<string, unknown>;
  @Column('integer') version: number;
  @Column('timestamp with time zone', { name: 'created_at', precision: 3 }) createdAt: Date;
  @Column('timestamp with time zone', { name: 'updated_at', precision: 3 }) updatedAt: Date;
}

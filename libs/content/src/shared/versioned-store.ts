import { preparedStatement, ProblemException, ReadConnections } from '@strata/core';
import { DataSource, EntityManager, EntityTarget, QueryFailedError, SelectQueryBuilder } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { newContentId } from './content-id';
import type { ContentChanges, ContentKind } from './content-changes';

/** The columns every content row has; the store owns them (callers never set them). */
export interface VersionedEntity {
  id: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type ExpectedVersion = number | 'any' | null | undefined;
export type EditableFields<E extends VersionedEntity> = Omit<E, keyof VersionedEntity>;

/**
 * Reads and versioned writes of one content table. Writes take an EntityManager so that
 * single requests and batches (many operations, one transaction) go through the same code.
 * Every write bumps `version` (the ETag) and `updatedAt`; `If-Match` is checked under a row
 * lock so two concurrent updates of the same version cannot both win.
 */
export class VersionedStore<E extends VersionedEntity> {
  private selectByIdSql?: string;
  /** UPDATE statements by the columns they write (few distinct sets: the fields clients send together). */
  private readonly updateSql = new Map<string, string>();

  constructor(
    readonly dataSource: DataSource,
    /** Where reads that may be slightly behind run (a replica when one is fit); never writes or If-Match checks. */
    private readonly reads: ReadConnections,
    private readonly entity: EntityTarget<E>,
    private readonly changes: ContentChanges,
    private readonly kind: ContentKind,
    /** "Page", "Module", "Media item": used in messages. */
    readonly label: string,
    /** The API representation of a row, as change listeners receive it. */
    private readonly present: (entity: E) => unknown,
  ) {}

  get repository() {
    return this.dataSource.getRepository(this.entity);
  }

  /** The row as the primary has it now. */
  async get(id: string): Promise<E> {
    return this.found(id, await this.selectById(this.dataSource.manager, id));
  }

  /** The row for a cache load: from a replica that has replayed every commit made before this call, else the primary. */
  async load(id: string): Promise<E> {
    return this.found(id, await this.reads.read((manager) => this.selectById(manager, id)));
  }

  /** A list or search: the builder runs where `ReadConnections` sends it. */
  readList<T>(alias: string, run: (builder: SelectQueryBuilder<E>) => Promise<T>): Promise<T> {
    return this.reads.read((manager) => run(manager.getRepository(this.entity).createQueryBuilder(alias)));
  }

  private found(id: string, row: E | undefined): E {
    if (!row) throw this.notFound(id);
    return row;
  }

  /** Every write goes through here, so change listeners see it in and after the transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.changes.transaction(this.dataSource, work);
  }

  async insert(manager: EntityManager, fields: EditableFields<E>, id: string = newContentId()): Promise<E> {
    const now = new Date();
    const row = manager.create(this.entity, { ...fields, id, version: 1, createdAt: now, updatedAt: now } as never);
    await manager.insert(this.entity, row as never);
    await this.record(manager, 'created', row);
    return row;
  }

  /**
   * One statement in the common case: the UPDATE locks the row, checks `If-Match` in its WHERE
   * (re-checked by PostgreSQL after waiting for a concurrent writer) and answers the new row,
   * instead of a SELECT … FOR UPDATE and an UPDATE, while the write holds its pooled connection.
   * When it changes nothing, the row is locked and read to answer 404 or 412 as before.
   */
  async update(manager: EntityManager, id: string, changes: Partial<EditableFields<E>>, expected?: ExpectedVersion): Promise<E> {
    const fields = [...Object.keys(changes).filter((field) => changes[field as keyof typeof changes] !== undefined), 'updatedAt'];
    const updated = expected === null ? undefined : await this.updateReturning(manager, id, changes, expected);
    if (updated) {
      await this.record(manager, 'updated', updated, fields);
      return updated;
    }
    const current = await this.lockForWrite(manager, id, expected);
    const next = manager.merge(this.entity, current, { ...changes, version: current.version + 1, updatedAt: new Date() } as never);
    await manager.update(this.entity, { id }, { ...changes, version: next.version, updatedAt: next.updatedAt } as never);
    await this.record(manager, 'updated', next, fields);
    return next;
  }

  async remove(manager: EntityManager, id: string, expected?: ExpectedVersion): Promise<E> {
    const current = await this.lockForWrite(manager, id, expected);
    await manager.delete(this.entity, { id });
    await this.record(manager, 'deleted', current);
    return current;
  }

  private record(manager: EntityManager, action: 'created' | 'updated' | 'deleted', row: E, fields?: string[]): Promise<void> {
    return this.changes.record(manager, { kind: this.kind, action, id: row.id, item: this.present(row), ...(fields ? { fields } : {}) });
  }

  notFound(id: string): ProblemException {
    return ProblemException.notFound(`${this.label} ${id} does not exist.`);
  }

  /** The row after `changes`, or undefined when no row has `id` (and version `expected`, when a number). */
  private async updateReturning(manager: EntityManager, id: string, changes: Partial<EditableFields<E>>, expected: ExpectedVersion): Promise<E | undefined> {
    const metadata = this.dataSource.getMetadata(this.entity);
    const columns = Object.keys(changes)
      .filter((field) => changes[field as keyof typeof changes] !== undefined)
      .map((field) => {
        const column = metadata.findColumnWithPropertyPath(field);
        if (!column) throw new Error(`${this.label} has no column for field "${field}"`);
        return column;
      });
    const values = columns.map((column): unknown => this.dataSource.driver.preparePersistentValue(column.getEntityValue(changes), column) as unknown);
    const checksVersion = typeof expected === 'number';
    const sql = this.updateReturningSql(columns, checksVersion);
    const [rows]: [Record<string, unknown>[], number] = await manager.query(sql, [...values, new Date(), id, ...(checksVersion ? [expected] : [])]);
    const row = rows[0];
    return row ? this.hydrate(row) : undefined;
  }

  /**
   * `UPDATE … SET <columns>, version = version + 1, updated_at = $n WHERE id = $n+1 [AND version = $n+2]
   * RETURNING <every column>`, built once per set of columns written, as `selectById` is: TypeORM's
   * update query builder spent about 80 µs of CPU assembling it on every PATCH, more than the
   * rest of the write's own JavaScript (profiled under the Zipf mix: bench/mixed.js).
   */
  private updateReturningSql(columns: ColumnMetadata[], checksVersion: boolean): string {
    const cacheKey = `${checksVersion}:${columns.map((column) => column.databaseName).join(',')}`;
    let sql = this.updateSql.get(cacheKey);
    if (sql === undefined) {
      const metadata = this.dataSource.getMetadata(this.entity);
      const escape = (name: string) => this.dataSource.driver.escape(name);
      const column = (property: string) => escape(metadata.findColumnWithPropertyPath(property)!.databaseName);
      const assignments = columns.map((written, index) => `${escape(written.databaseName)} = $${index + 1}`);
      const n = columns.length;
      assignments.push(`${column('version')} = ${column('version')} + 1`, `${column('updatedAt')} = $${n + 1}`);
      const where = `${column('id')} = $${n + 2}${checksVersion ? ` AND ${column('version')} = $${n + 3}` : ''}`;
      const returning = metadata.columns.map((each) => escape(each.databaseName)).join(', ');
      // Prepared once per connection: parsing and planning it cost PostgreSQL more than running it.
      sql = preparedStatement(`UPDATE ${escape(metadata.tableName)} SET ${assignments.join(', ')} WHERE ${where} RETURNING ${returning}`);
      this.updateSql.set(cacheKey, sql);
    }
    return sql;
  }

  /**
   * One row by id (`get`, and the load behind every cache miss and stale refresh): a plain
   * statement built once, instead of `findOneBy`, whose query builder spent more CPU assembling
   * the same SQL on every call than the rest of the load (profiled under the Zipf mix: bench/mixed.js).
   */
  private async selectById(manager: EntityManager, id: string): Promise<E | undefined> {
    this.selectByIdSql ??= this.buildSelectById();
    const rows: Record<string, unknown>[] = await manager.query(this.selectByIdSql, [id]);
    return rows.length > 0 ? this.hydrate(rows[0]) : undefined;
  }

  /** The entity of a raw row (column names as in the table), converted as TypeORM's own reads convert them. */
  private hydrate(row: Record<string, unknown>): E {
    const metadata = this.dataSource.getMetadata(this.entity);
    const entity = metadata.create() as E;
    for (const column of metadata.columns) column.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(row[column.databaseName], column));
    return entity;
  }

  private buildSelectById(): string {
    const metadata = this.dataSource.getMetadata(this.entity);
    const escape = (name: string) => this.dataSource.driver.escape(name);
    const columns = metadata.columns.map((column) => escape(column.databaseName)).join(', ');
    // Prepared once per connection: the load behind every cache miss and stale refresh.
    return preparedStatement(`SELECT ${columns} FROM ${escape(metadata.tableName)} WHERE ${escape('id')} = $1`);
  }

  private async lockForWrite(manager: EntityManager, id: string, expected: ExpectedVersion): Promise<E> {
    const current = await manager.findOne(this.entity, { where: { id } as never, lock: { mode: 'pessimistic_write' } });
    if (!current) throw this.notFound(id);
    if (expected === null || (typeof expected === 'number' && expected !== current.version)) {
      throw ProblemException.preconditionFailed(
        `${this.label} ${id} has changed (current version ${current.version}); fetch it again and retry with its ETag.`,
      );
    }
    return current;
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError = error instanceof QueryFailedError ? (error as QueryFailedError & { code?: string; constraint?: string }) : undefined;
  return driverError?.code === '23505' && (!constraint || driverError.constraint === constraint);
}

import { ProblemException } from '@strata/core';
import { DataSource, EntityManager, EntityTarget, QueryFailedError } from 'typeorm';
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
  constructor(
    readonly dataSource: DataSource,
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

  async get(id: string): Promise<E> {
    const found = await this.repository.findOneBy({ id } as never);
    if (!found) throw this.notFound(id);
    return found;
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

  async update(manager: EntityManager, id: string, changes: Partial<EditableFields<E>>, expected?: ExpectedVersion): Promise<E> {
    const current = await this.lockForWrite(manager, id, expected);
    const next = manager.merge(this.entity, current, { ...changes, version: current.version + 1, updatedAt: new Date() } as never);
    await manager.update(this.entity, { id }, { ...changes, version: next.version, updatedAt: next.updatedAt } as never);
    await this.record(manager, 'updated', next);
    return next;
  }

  async remove(manager: EntityManager, id: string, expected?: ExpectedVersion): Promise<E> {
    const current = await this.lockForWrite(manager, id, expected);
    await manager.delete(this.entity, { id });
    await this.record(manager, 'deleted', current);
    return current;
  }

  private record(manager: EntityManager, action: 'created' | 'updated' | 'deleted', row: E): Promise<void> {
    return this.changes.record(manager, { kind: this.kind, action, id: row.id, item: this.present(row) });
  }

  notFound(id: string): ProblemException {
    return ProblemException.notFound(`${this.label} ${id} does not exist.`);
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

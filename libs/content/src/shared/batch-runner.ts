import { flattenValidationErrors, ProblemException } from '@strata/core';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { HttpException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BatchOperationDto, BatchResultDto } from './batch.dto';
import { expectedVersionFromIfMatch } from './etag';
import type { ExpectedVersion } from './versioned-store';

export interface BatchHandlers<Item, Create, Update> {
  /** How a batch creates an item, or why it cannot (media need a file upload). */
  creation: { dto: ClassConstructor<Create>; create(manager: EntityManager, data: Create): Promise<Item & { id: string }> } | { unsupported: string };
  updateDto: ClassConstructor<Update>;
  update(manager: EntityManager, id: string, data: Update, expected: ExpectedVersion): Promise<Item & { id: string }>;
  remove(manager: EntityManager, id: string, expected: ExpectedVersion): Promise<unknown>;
}

type CreationHandler<Item, Create> = Extract<BatchHandlers<Item, Create, never>['creation'], { dto: unknown }>;

/**
 * Runs a batch: every operation's `data` is validated against the resource's own create or
 * update DTO first (nothing runs if any is invalid), then all operations run in order in one
 * transaction. The first failure rolls everything back and is answered with its index.
 */
export async function runBatch<Item, Create extends object, Update extends object>(
  store: { transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> },
  operations: BatchOperationDto[],
  handlers: BatchHandlers<Item, Create, Update>,
): Promise<BatchResultDto<Item>[]> {
  const inputs = operations.map((operation, index) => validateOperationData(operation, index, handlers));

  return store.transaction(async (manager) => {
    const results: BatchResultDto<Item>[] = [];
    for (const [index, operation] of operations.entries()) {
      try {
        const expected = operation.id ? expectedVersionFromIfMatch(operation.ifMatch, operation.id) : undefined;
        if (operation.op === 'create') {
          const item = await (handlers.creation as CreationHandler<Item, Create>).create(manager, inputs[index] as Create);
          results.push({ index, op: 'create', status: 201, id: item.id, item });
        } else if (operation.op === 'update') {
          const item = await handlers.update(manager, operation.id!, inputs[index] as Update, expected);
          results.push({ index, op: 'update', status: 200, id: item.id, item });
        } else {
          await handlers.remove(manager, operation.id!, expected);
          results.push({ index, op: 'delete', status: 204, id: operation.id! });
        }
      } catch (error) {
        throw failedOperation(error, index, operation);
      }
    }
    return results;
  });
}

function validateOperationData<Create extends object, Update extends object>(
  operation: BatchOperationDto,
  index: number,
  handlers: BatchHandlers<unknown, Create, Update>,
): Create | Update | undefined {
  const misplaced =
    operation.op === 'create'
      ? operation.id !== undefined
        ? 'id'
        : undefined
      : operation.op === 'delete' && operation.data !== undefined
        ? 'data'
        : undefined;
  if (misplaced) {
    throw ProblemException.badRequest(`Operation ${index} (${operation.op}) must not have ${misplaced}; no operation was applied.`, {
      [`operations[${index}].${misplaced}`]: [`${misplaced} is not allowed for ${operation.op}`],
    });
  }
  if (operation.op === 'delete') return undefined;
  if (operation.op === 'create' && 'unsupported' in handlers.creation) {
    throw ProblemException.badRequest(`Operation ${index} (create): ${handlers.creation.unsupported} No operation was applied.`, {
      [`operations[${index}].op`]: ['op must be update or delete for this resource'],
    });
  }
  const dto: ClassConstructor<object> = operation.op === 'create' ? (handlers.creation as CreationHandler<unknown, Create>).dto : handlers.updateDto;
  const instance = plainToInstance(dto, operation.data ?? {}) as Create | Update;
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw ProblemException.badRequest(
      `Operation ${index} (${operation.op}) has invalid data; no operation was applied.`,
      flattenValidationErrors(errors, `operations[${index}].data`),
    );
  }
  return instance;
}

function failedOperation(error: unknown, index: number, operation: BatchOperationDto): unknown {
  if (!(error instanceof HttpException)) return error;
  const detail = error instanceof ProblemException ? error.detail : error.message;
  return new ProblemException({
    status: error.getStatus(),
    detail: `Operation ${index} (${operation.op}) failed: ${detail} No operation was applied.`,
    extensions: { failedOperation: index },
  });
}

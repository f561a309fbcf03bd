import { applyDecorators, Type } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { MAX_BATCH_OPERATIONS } from './batch.dto';

/**
 * The OpenAPI shape of a resource's batch route: `operations` and `data` as a list of
 * operations and a list of results, each one of `create`, `update` or `delete` told apart by
 * `op` (oneOf + discriminator), with the resource's own create and PATCH bodies and its item.
 * Generated clients get a typed union instead of `{ op: string; data?: object }`.
 *
 * Only the document changes: the request is still validated by BatchOperationDto and then, per
 * operation, by the resource's create or update DTO (runBatch).
 */
export function ApiBatch(resource: string, models: { create?: Type; update: Type; item: Type }): MethodDecorator {
  const named = <T extends Type>(name: string, model: T): T => Object.defineProperty(model, 'name', { value: `${resource}Batch${name}` });
  const ifMatch = () =>
    ApiPropertyOptional({ description: 'Apply only if the item still has this ETag', example: '"0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f.3"', maxLength: 100 });
  const itemId = () => ApiProperty({ format: 'uuid' });

  class CreateOperation {
    @ApiProperty({ enum: ['create'] }) op: 'create';
    @ApiProperty({ type: models.create, description: 'The create body' }) data: unknown;
  }
  class UpdateOperation {
    @ApiProperty({ enum: ['update'] }) op: 'update';
    @itemId() id: string;
    @ApiProperty({ type: models.update, description: 'The PATCH body: only the fields sent change' }) data: unknown;
    @ifMatch() ifMatch?: string;
  }
  class DeleteOperation {
    @ApiProperty({ enum: ['delete'] }) op: 'delete';
    @itemId() id: string;
    @ifMatch() ifMatch?: string;
  }
  const operations = [
    ...(models.create ? [named('CreateOperation', CreateOperation)] : []),
    named('UpdateOperation', UpdateOperation),
    named('DeleteOperation', DeleteOperation),
  ];

  class Created {
    @ApiProperty({ example: 0, description: 'Position of the operation in the request' }) index: number;
    @ApiProperty({ enum: ['create'] }) op: 'create';
    @ApiProperty({ enum: [201], description: 'What the single request would have answered' }) status: 201;
    @itemId() id: string;
    @ApiProperty({ type: models.item }) item: unknown;
  }
  class Updated {
    @ApiProperty({ example: 0, description: 'Position of the operation in the request' }) index: number;
    @ApiProperty({ enum: ['update'] }) op: 'update';
    @ApiProperty({ enum: [200], description: 'What the single request would have answered' }) status: 200;
    @itemId() id: string;
    @ApiProperty({ type: models.item }) item: unknown;
  }
  class Deleted {
    @ApiProperty({ example: 0, description: 'Position of the operation in the request' }) index: number;
    @ApiProperty({ enum: ['delete'] }) op: 'delete';
    @ApiProperty({ enum: [204], description: 'What the single request would have answered' }) status: 204;
    @itemId() id: string;
  }
  const results = [...(models.create ? [named('Created', Created)] : []), named('Updated', Updated), named('Deleted', Deleted)];

  const union = (variants: Type[]) => ({
    oneOf: variants.map((variant) => ({ $ref: getSchemaPath(variant) })),
    discriminator: {
      propertyName: 'op',
      mapping: Object.fromEntries(
        variants.map((variant, index) => [['create', 'update', 'delete'].slice(models.create ? 0 : 1)[index], getSchemaPath(variant)]),
      ),
    },
  });

  return applyDecorators(
    ApiExtraModels(...operations, ...results),
    ApiBody({
      schema: {
        type: 'object',
        required: ['operations'],
        properties: { operations: { type: 'array', minItems: 1, maxItems: MAX_BATCH_OPERATIONS, items: union(operations) } },
      },
    }),
    ApiOkResponse({
      description: 'One result per operation, in order',
      schema: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: union(results) } } },
    }),
  );
}

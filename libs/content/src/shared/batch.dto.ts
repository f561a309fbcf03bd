import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateIf, ValidateNested } from 'class-validator';

export const BATCH_OPS = ['create', 'update', 'delete'] as const;
export type BatchOp = (typeof BATCH_OPS)[number];
export const MAX_BATCH_OPERATIONS = 100;

export class BatchOperationDto {
  @ApiProperty({ enum: BATCH_OPS, example: 'update' })
  @IsIn(BATCH_OPS)
  op: BatchOp;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for update and delete; not allowed for create' })
  @ValidateIf((operation: BatchOperationDto) => operation.op !== 'create' || operation.id !== undefined)
  @IsUUID('all', { message: 'id must be a UUID' })
  id?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'For create: the create body; for update: the patch body; not allowed for delete',
    example: { title: 'New title' },
  })
  @ValidateIf((operation: BatchOperationDto) => operation.op !== 'delete' || operation.data !== undefined)
  @IsObject({ message: 'data must be an object' })
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Optional If-Match ETag for update/delete', example: '"0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f.3"' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ifMatch?: string;
}

export class BatchRequestDto {
  @ApiProperty({ type: [BatchOperationDto], minItems: 1, maxItems: MAX_BATCH_OPERATIONS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_OPERATIONS)
  @ValidateNested({ each: true })
  @Type(() => BatchOperationDto)
  operations: BatchOperationDto[];
}

export class BatchResultDto<T = unknown> {
  @ApiProperty({ example: 0 }) index: number;
  @ApiProperty({ enum: BATCH_OPS }) op: BatchOp;
  @ApiProperty({ example: 200, description: 'What the single request would have answered: 201, 200 or 204' }) status: number;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiPropertyOptional({ description: 'The resulting resource (absent for delete)' }) item?: T;
}

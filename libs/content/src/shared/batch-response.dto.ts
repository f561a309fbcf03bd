import { ApiProperty } from '@nestjs/swagger';
import { BatchResultDto } from './batch.dto';

export class BatchResponseDto<T = unknown> {
  @ApiProperty({ type: [BatchResultDto], description: 'One result per operation, in order' })
  data: BatchResultDto<T>[];
}

import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemTypeForStatus, problemTypeUri } from './problem';

/** The OpenAPI schema of a problem+json body. */
export class ProblemDetailsSchema {
  @ApiProperty({ example: problemTypeUri('not-found') }) type: string;
  @ApiProperty({ example: 'Not Found' }) title: string;
  @ApiProperty({ example: 404 }) status: number;
  @ApiProperty({ example: 'Page 0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f does not exist.' }) detail: string;
  @ApiProperty({ example: '/api/v1/pages/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' }) instance: string;
  @ApiProperty({ example: '5f0c6e3e-3b9a-4d2a-9f7e-2c1d0b8a7e6f' }) requestId: string;
  @ApiPropertyOptional({
    description: 'Validation errors: field path → messages',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { title: ['title must be shorter than or equal to 500 characters'] },
  })
  errors?: Record<string, string[]>;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid input (validation errors are listed by field)',
  401: 'Missing or invalid API key',
  403: 'The API key lacks the required scope',
  404: 'No such resource',
  409: 'Conflicts with an existing resource',
  412: 'If-Match does not match the current version',
  413: 'The body or file is larger than allowed',
  415: 'Unsupported content type',
  422: 'Semantically invalid input',
  429: 'Rate limit or quota exceeded',
  503: 'A backing service is unavailable',
};

/** Documents the given error statuses as problem+json responses. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsSchema),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? PROBLEM_TYPES[problemTypeForStatus(status)],
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: getSchemaPath(ProblemDetailsSchema) },
            example: {
              type: problemTypeUri(problemTypeForStatus(status)),
              title: PROBLEM_TYPES[problemTypeForStatus(status)],
              status,
              detail: DESCRIPTIONS[status] ?? PROBLEM_TYPES[problemTypeForStatus(status)],
              instance: '/api/v1/pages',
              requestId: '5f0c6e3e-3b9a-4d2a-9f7e-2c1d0b8a7e6f',
            },
          },
        },
      }),
    ),
  );
}

import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemException } from './problem.exception';

/** Flattens class-validator errors into `{ "a.b[0].c": ["message", ...] }`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    if (error.constraints) result[path] = Object.values(error.constraints);
    if (error.children?.length) Object.assign(result, flattenValidationErrors(error.children, path));
  }
  return result;
}

/**
 * The global pipe: DTOs are validated at the edge, unknown fields are refused (not ignored),
 * and a failure becomes a 400 validation-error problem listing every field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ProblemException.badRequest('The request has invalid fields.', flattenValidationErrors(errors)),
  });
}

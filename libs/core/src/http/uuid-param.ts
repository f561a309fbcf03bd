import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ProblemException } from './problem.exception';

/** `@UuidParam('id')`: a path parameter that must be a UUID, else a 400 problem naming it (never a query). */
export const UuidParam = (name = 'id') =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => ProblemException.badRequest(`${name} must be a UUID.`, { [name]: [`${name} must be a UUID`] }) }));

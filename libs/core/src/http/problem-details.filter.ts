import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, ProblemDetails, problemTypeForStatus, problemTypeUri } from './problem';
import { NETWORK_ERROR_CODES } from './network-errors';
import { ProblemException } from './problem.exception';
import { redactSecrets } from '../logging/redact-secrets';

interface Resolved {
  status: number;
  detail: string;
  problem?: ProblemException;
  headers?: Record<string, string>;
}

/**
 * Renders every error as RFC 9457 problem+json. Only messages we wrote (or Fastify's
 * fixed 4xx messages) reach the client: stack traces and SQL text stay in the log.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    this.send(exception, context.getRequest<FastifyRequest>(), context.getResponse<FastifyReply>());
  }

  /** Answers `exception` as a problem; for code that handles a request outside Nest's pipeline. */
  send(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const resolved = this.resolve(exception);

    if (resolved.status === 503) {
      // A backing service is away (a restart, a failover): every request says so until it is
      // back, so one short line each, without a stack, keeps the log readable through an outage.
      const { message, code } = loggableError(exception);
      this.logger.warn({ requestId: request.id, cause: message, code }, `${request.method} ${instanceOf(request)} answered 503`);
    } else if (resolved.status >= 500) {
      this.logger.error({ err: loggableError(exception), requestId: request.id }, `${request.method} ${instanceOf(request)} failed`);
    }

    const problemType = resolved.problem?.problemType ?? problemTypeForStatus(resolved.status);
    const body: ProblemDetails = {
      type: problemTypeUri(problemType),
      title: resolved.problem?.title ?? PROBLEM_TYPES[problemType],
      status: resolved.status,
      detail: resolved.detail,
      instance: instanceOf(request),
      requestId: String(request.id),
      ...(resolved.problem?.errors ? { errors: resolved.problem.errors } : {}),
      ...resolved.problem?.extensions,
    };

    if (reply.sent) return;
    reply.status(resolved.status).header('content-type', PROBLEM_CONTENT_TYPE);
    for (const [name, value] of Object.entries({ ...resolved.headers, ...resolved.problem?.headers })) {
      reply.header(name, value);
    }
    reply.send(JSON.stringify(body));
  }

  private resolve(exception: unknown): Resolved {
    if (exception instanceof ProblemException) {
      return { status: exception.getStatus(), detail: exception.detail, problem: exception };
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message = typeof response === 'object' && response !== null && 'message' in response ? response.message : exception.message;
      return { status: exception.getStatus(), detail: Array.isArray(message) ? message.join('; ') : String(message) };
    }
    if (isDatabaseUnavailable(exception)) {
      return { status: 503, detail: 'The database is unavailable; try again shortly.', headers: { 'retry-after': '1' } };
    }
    if (exception instanceof QueryFailedError) {
      return this.resolveDatabaseError(exception as QueryFailedError & { code?: string });
    }
    const candidate = exception as { statusCode?: unknown; status?: unknown; message?: unknown; code?: unknown };
    if (typeof candidate?.code === 'string' && NETWORK_ERROR_CODES.has(candidate.code)) {
      return { status: 503, detail: 'A backing service is unavailable; try again shortly.', headers: { 'retry-after': '1' } };
    }
    // Fastify and its plugins (body parser, multipart) raise errors with a 4xx statusCode
    // and a fixed, safe message such as "Request body is too large".
    const status = Number(candidate?.statusCode ?? candidate?.status);
    if (Number.isInteger(status) && status >= 400 && status < 500) {
      return { status, detail: typeof candidate.message === 'string' ? candidate.message : PROBLEM_TYPES[problemTypeForStatus(status)] };
    }
    return { status: 500, detail: 'An unexpected error occurred. Quote the requestId when reporting it.' };
  }

  private resolveDatabaseError(error: QueryFailedError & { code?: string }): Resolved {
    const code = error.code ?? '';
    if (code === '23505') return { status: 409, detail: 'A resource with the same unique value already exists.' };
    if (code === '23503') return { status: 422, detail: 'A referenced resource does not exist.' };
    // A NOT NULL column got a null that validation let through: the input is at fault, not us.
    if (code === '23502') return { status: 400, detail: 'A required value is missing.' };
    if (['22P02', '22P05', '22007', '22003', '22001', '22021'].includes(code)) {
      return { status: 400, detail: 'A value has the wrong format or is out of range.' };
    }
    return { status: 500, detail: 'An unexpected error occurred. Quote the requestId when reporting it.' };
  }
}

/** The path the problem is about: no query string, nothing shaped like a secret. */
function instanceOf(request: FastifyRequest): string {
  return redactSecrets(request.url.split('?')[0]);
}

/**
 * What of an error goes into the log: never a database error's `query`/`parameters` or
 * `driverError` (they carry request content and, later, secrets).
 */
function loggableError(exception: unknown): Record<string, unknown> {
  if (!(exception instanceof Error)) return { message: String(exception) };
  const { code } = exception as { code?: unknown };
  return { type: exception.name, message: exception.message, code, stack: exception.stack };
}

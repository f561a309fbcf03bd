import { HttpException } from '@nestjs/common';
import { PROBLEM_TYPES, ProblemType, problemTypeForStatus } from './problem';

export interface ProblemInit {
  status: number;
  detail: string;
  type?: ProblemType;
  title?: string;
  errors?: Record<string, string[]>;
  /** Extra members for the problem body (RFC 9457 extensions). */
  extensions?: Record<string, unknown>;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
}

/** Throw this anywhere to answer with a specific problem; the filter renders it. */
export class ProblemException extends HttpException {
  readonly problemType: ProblemType;
  readonly title: string;
  readonly detail: string;
  readonly errors?: Record<string, string[]>;
  readonly extensions?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail, init.status);
    this.problemType = init.type ?? problemTypeForStatus(init.status);
    this.title = init.title ?? PROBLEM_TYPES[this.problemType];
    this.detail = init.detail;
    this.errors = init.errors;
    this.extensions = init.extensions;
    this.headers = init.headers;
  }

  static badRequest(detail: string, errors?: Record<string, string[]>): ProblemException {
    return new ProblemException({ status: 400, detail, errors, type: errors ? 'validation-error' : 'bad-request' });
  }

  static notFound(detail: string): ProblemException {
    return new ProblemException({ status: 404, detail });
  }

  static conflict(detail: string): ProblemException {
    return new ProblemException({ status: 409, detail });
  }

  static preconditionFailed(detail: string): ProblemException {
    return new ProblemException({ status: 412, detail });
  }

  static unprocessable(detail: string, errors?: Record<string, string[]>): ProblemException {
    return new ProblemException({ status: 422, detail, errors });
  }
}

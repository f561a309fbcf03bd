/** RFC 9457 problem details, the body of every error Strata answers. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  /** Validation errors: field path → messages. */
  errors?: Record<string, string[]>;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://strata.dev/problems/';

/** The problem types Strata answers with; each has a stable URI under PROBLEM_TYPE_BASE. */
export const PROBLEM_TYPES = {
  'bad-request': 'Bad Request',
  'validation-error': 'Validation Error',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  'not-found': 'Not Found',
  'method-not-allowed': 'Method Not Allowed',
  'not-acceptable': 'Not Acceptable',
  'request-timeout': 'Request Timeout',
  conflict: 'Conflict',
  'precondition-failed': 'Precondition Failed',
  'payload-too-large': 'Payload Too Large',
  'uri-too-long': 'URI Too Long',
  'unsupported-media-type': 'Unsupported Media Type',
  'range-not-satisfiable': 'Range Not Satisfiable',
  'unprocessable-entity': 'Unprocessable Entity',
  'quota-exceeded': 'Quota Exceeded',
  'usage-exceeded': 'Usage Exceeded',
  'request-header-fields-too-large': 'Request Header Fields Too Large',
  'internal-error': 'Internal Server Error',
  'service-unavailable': 'Service Unavailable',
} as const;
export type ProblemType = keyof typeof PROBLEM_TYPES;

export function problemTypeUri(type: ProblemType): string {
  return PROBLEM_TYPE_BASE + type;
}

const TYPE_BY_STATUS: Record<number, ProblemType> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  416: 'range-not-satisfiable',
  422: 'unprocessable-entity',
  429: 'quota-exceeded',
  431: 'request-header-fields-too-large',
  500: 'internal-error',
  503: 'service-unavailable',
};

export function problemTypeForStatus(status: number): ProblemType {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'internal-error' : 'bad-request');
}

import { HttpException } from '@nestjs/common';
import { ProblemException } from '@strata/core';

export function notMultipart(): ProblemException {
  return new ProblemException({ status: 415, detail: 'Upload the file as multipart/form-data, in a part named "file".' });
}

export function fileTooLarge(maxBytes: number): ProblemException {
  return new ProblemException({ status: 413, detail: `The file is larger than the limit of ${maxBytes} bytes.`, extensions: { maxBytes } });
}

export function invalidUpload(errors: Record<string, string[]>): ProblemException {
  return ProblemException.badRequest('The upload has invalid fields; nothing was stored.', errors);
}

/**
 * What to answer for an error raised while parsing the multipart body: @fastify/multipart's
 * limit errors get a precise problem; busboy's own errors (no boundary, a part cut short)
 * carry no status and would otherwise be a 500, though the body is at fault.
 */
export function multipartProblem(error: unknown, maxBytes: number): unknown {
  if (error instanceof HttpException) return error;
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return fileTooLarge(maxBytes);
    case 'FST_FILES_LIMIT':
      return invalidUpload({ file: ['only one file may be uploaded, in the "file" part'] });
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return ProblemException.badRequest('A field sent as application/json is not valid JSON; nothing was stored.');
  }
  if (typeof statusCode === 'number') return error;
  return ProblemException.badRequest('The multipart body is malformed or was cut short; nothing was stored.');
}

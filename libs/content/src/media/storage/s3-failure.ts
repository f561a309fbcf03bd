import type { AppConfig } from '@strata/core';

type S3Settings = NonNullable<AppConfig['media']['s3']>;

const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'Forbidden',
  'InvalidToken',
  'ExpiredToken',
  'InvalidClientTokenId',
]);
const REGION_CODES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'Redirect']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError']);

/**
 * One line saying why the S3 configuration check failed and which variable to look at: the
 * SDK's own errors name an S3 error code, rarely the setting that caused it.
 */
export function describeS3Failure(error: unknown, s3: S3Settings): string {
  const { name, code, Code, message } = (error ?? {}) as { name?: string; code?: string; Code?: string; message?: string };
  const reason = Code ?? code ?? name ?? 'Error';
  const where = `bucket "${s3.bucket}" ${s3.endpoint ? `at ${s3.endpoint}` : `in region ${s3.region}`}`;
  let line: string;
  if (reason === 'NoSuchBucket') {
    line = `MEDIA_STORAGE=s3: the ${where} does not exist; check S3_BUCKET${s3.endpoint ? ' and S3_ENDPOINT' : ''}.`;
  } else if (name === 'CredentialsProviderError') {
    line = 'MEDIA_STORAGE=s3: no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or run with an instance role).';
  } else if (CREDENTIAL_CODES.has(reason)) {
    line = `MEDIA_STORAGE=s3: the ${where} refused Strata's credentials (${reason}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE): they need s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket.`;
  } else if (REGION_CODES.has(reason)) {
    line = `MEDIA_STORAGE=s3: the ${where} answered ${reason}; check S3_REGION.`;
  } else if (NETWORK_CODES.has(reason)) {
    const pathStyle = s3.endpoint && !s3.forcePathStyle ? ' (and S3_FORCE_PATH_STYLE=true, which most self-hosted services need)' : '';
    line = `MEDIA_STORAGE=s3: ${s3.endpoint ?? 'AWS S3'} cannot be reached (${reason}); check S3_ENDPOINT${pathStyle}.`;
  } else {
    line = `MEDIA_STORAGE=s3: the configuration check on the ${where} failed (${reason}: ${message ?? 'no message'}); check S3_BUCKET, S3_ENDPOINT, S3_REGION and S3_FORCE_PATH_STYLE.`;
  }
  return line.replace(/\s+/g, ' ');
}

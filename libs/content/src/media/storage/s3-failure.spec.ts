import { describeS3Failure } from './s3-failure';

const s3 = { bucket: 'media', region: 'us-east-1', endpoint: 'http://minio:9000', forcePathStyle: false, prefix: '' };

describe('describeS3Failure', () => {
  it.each([
    [{ name: 'NoSuchBucket' }, /bucket "media" at http:\/\/minio:9000 does not exist; check S3_BUCKET and S3_ENDPOINT/],
    [{ name: 'InvalidAccessKeyId' }, /check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/],
    [{ name: 'SignatureDoesNotMatch' }, /check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/],
    [{ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }, /no AWS credentials found; set AWS_ACCESS_KEY_ID/],
    [{ name: 'PermanentRedirect' }, /check S3_REGION/],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, /cannot be reached \(ECONNREFUSED\); check S3_ENDPOINT \(and S3_FORCE_PATH_STYLE=true/],
    [{ name: 'InternalError', message: 'We\nfailed' }, /configuration check on the bucket "media" at http:\/\/minio:9000 failed \(InternalError: We failed\)/],
  ])('names the variable to check for %j, on one line', (error, expected) => {
    const line = describeS3Failure(error, s3);
    expect(line).toMatch(expected);
    expect(line).not.toMatch(/\n/);
  });
});

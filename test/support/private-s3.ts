import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';

// The fork of s3rver that is still maintained (Node 20, current koa/busboy/fast-xml-parser);
// it ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('@20minutes/s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

// s3rver's one account. The AWS SDK reads credentials from its own chain, as in production.
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';

/**
 * A real S3-protocol server (s3rver) of the test's own, in process, on a free port, storing in a
 * temporary directory, with one bucket created. Tests talk to it over HTTP like to any S3.
 */
export class PrivateS3 {
  readonly client: S3Client;

  private constructor(
    private readonly server: { close(): Promise<void> },
    private readonly directory: string,
    readonly endpoint: string,
    readonly bucket: string,
  ) {
    this.client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    });
  }

  static async start(bucket = 'strata-media'): Promise<PrivateS3> {
    // The app finds credentials where the AWS SDK looks for them; these are s3rver's, and no
    // profile, session token or role may stand in for them in a test.
    process.env.AWS_ACCESS_KEY_ID = ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = SECRET_ACCESS_KEY;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    const directory = await mkdtemp(join(tmpdir(), 'strata-s3-'));
    // Signatures of bucket-level requests (ListObjectsV2, CreateBucket) cannot match: the SDK
    // signs the path `/bucket/`, which s3rver canonicalises as `/bucket`. Access keys are still
    // checked (an unknown one is refused with InvalidAccessKeyId, as by S3).
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, allowMismatchedSignatures: true });
    const { port } = await server.run();
    const s3 = new PrivateS3(server, directory, `http://127.0.0.1:${port}`, bucket);
    await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
    return s3;
  }

  /** The variables that point Strata at this server, under `prefix`. */
  env(prefix: string): Record<string, string> {
    return { MEDIA_STORAGE: 's3', S3_BUCKET: this.bucket, S3_ENDPOINT: this.endpoint, S3_FORCE_PATH_STYLE: 'true', S3_PREFIX: prefix };
  }

  /** Every object key in the bucket, whatever its prefix, sorted. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket })) {
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    }
    return keys.sort();
  }

  /**
   * Multipart uploads started and not completed. s3rver does not implement
   * ListMultipartUploads, so they are counted in its directory, where it keeps their parts.
   */
  async unfinishedMultipartUploads(): Promise<number> {
    return (await readdir(join(this.directory, this.bucket, '._S3rver_uploads')).catch(() => [])).length;
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.server.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

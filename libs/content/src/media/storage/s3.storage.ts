import { createHash, randomBytes } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig, StartupError } from '@strata/core';
import type { ByteRange } from '../byte-range';
import { DirectDownload, DownloadedFile, MediaStorage, StoredObject } from './media-storage';
import { describeS3Failure } from './s3-failure';
import { StorageKeys } from './storage-keys';

/** S3's smallest part; also what one upload holds in memory per part in flight. */
const PART_SIZE_BYTES = 5 * 1024 * 1024;
/** Parts of one upload sent at once: at most PART_SIZE_BYTES x this is buffered per upload. */
const PARTS_IN_FLIGHT = 2;
/** As for local disk: older unfinished uploads were left by a process that died mid-upload. */
const ABANDONED_UPLOAD_AGE_MS = 6 * 3_600_000;
/** A configuration-check marker lives for milliseconds; one this old was left by a crash. */
const ABANDONED_MARKER_AGE_MS = 3_600_000;
const SWEEP_INTERVAL_MS = 3_600_000;
/** MEDIA_PRESIGNED_DOWNLOADS: how long a redirect's URL works (long enough to start a download). */
const PRESIGNED_URL_TTL_S = 300;

type S3Settings = NonNullable<AppConfig['media']['s3']>;

/**
 * Media files as objects in an S3-compatible bucket (AWS S3, MinIO, R2, Ceph...), under
 * S3_PREFIX. An upload streams through a multipart upload (never whole in memory) that becomes
 * visible only when completed, and is aborted when the stream fails, so readers never see a
 * partial object. SHA-256 and size are computed on the way through, as on local disk.
 */
@Injectable()
export class S3Storage extends MediaStorage implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(S3Storage.name);
  private readonly settings: S3Settings;
  private readonly client: S3Client;
  private readonly keys: StorageKeys;
  private readonly publicUrl?: string;
  private readonly presignedDownloads: boolean;
  private sweeper?: NodeJS.Timeout;

  constructor(config: AppConfig) {
    super();
    this.settings = config.media.s3!;
    this.publicUrl = config.media.publicUrl;
    this.presignedDownloads = config.media.presignedDownloads;
    this.keys = new StorageKeys(this.settings.prefix);
    this.client = new S3Client({
      region: this.settings.region,
      endpoint: this.settings.endpoint,
      forcePathStyle: this.settings.forcePathStyle,
      // Checksums only where S3 requires them: we compute our own SHA-256, and the default
      // (trailing CRC32 on every upload) is not understood by every S3-compatible service.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async onModuleInit(): Promise<void> {
    await this.proveConfiguration();
    await this.removeAbandonedUploads();
    this.sweeper = setInterval(() => void this.removeAbandonedUploads(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.client.destroy();
  }

  /**
   * Writes, reads back and deletes a small marker object, so a wrong bucket, endpoint, region
   * or credential stops the boot with one line naming the variable, not the first upload.
   */
  async proveConfiguration(): Promise<void> {
    const { bucket } = this.settings;
    const key = this.keys.newMarker();
    const body = randomBytes(16).toString('hex');
    try {
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain' }));
      try {
        const read = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const readBack = await read.Body?.transformToString();
        if (readBack !== body)
          throw new StartupError(`MEDIA_STORAGE=s3: bucket "${bucket}" answered other bytes than were written to ${key}; check S3_ENDPOINT.`);
      } finally {
        await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }
    } catch (error) {
      if (error instanceof StartupError) throw error;
      throw new StartupError(describeS3Failure(error, this.settings));
    }
  }

  /**
   * Removes what dead processes left: configuration markers (listed with ListObjectsV2, page
   * by page) and multipart uploads never completed nor aborted (their parts are invisible but
   * billed). Answers how many went. Failures are logged: a sweep must never stop the boot.
   */
  async removeAbandonedUploads(now = Date.now()): Promise<number> {
    const removed = (await this.removeAbandonedMarkers(now)) + (await this.abortAbandonedMultipartUploads(now));
    if (removed > 0) this.logger.log(`Removed ${removed} abandoned upload(s)`);
    return removed;
  }

  async write(key: string, content: Readable): Promise<StoredObject> {
    const objectKey = this.keys.of(key);
    const digest = createHash('sha256');
    let sizeBytes = 0;
    let sourceError: Error | undefined;
    const measured = pipeline(
      content,
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          digest.update(chunk);
          sizeBytes += chunk.length;
          done(null, chunk);
        },
      }),
      (error) => {
        if (error) sourceError = error;
      },
    );
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: objectKey, Body: measured },
      partSize: PART_SIZE_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      // The default, said out loud: a failed upload is aborted, so no parts are left behind.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // The client's failure (an over-size file, a disconnect) is the answer, even when the
      // abort that followed failed too: that one is only wasted space, which the sweep reclaims.
      if (sourceError !== undefined) {
        if (error !== sourceError) this.logger.warn({ err: error, storageKey: key }, 'Could not abort the multipart upload of a failed media upload');
        throw sourceError;
      }
      throw error;
    }
    return { sizeBytes, checksum: digest.digest('hex') };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    // Awaited here, so a missing object fails before any header is sent; the body then streams.
    const object = await this.client.send(
      new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.keys.of(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
    );
    return object.Body as Readable;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.keys.of(key) }));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.keys.of(key) }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  }

  async downloadUrl(key: string, file: DownloadedFile): Promise<DirectDownload | undefined> {
    const objectKey = this.keys.of(key);
    if (this.publicUrl) return { url: `${this.publicUrl}/${objectKey}` };
    if (!this.presignedDownloads) return undefined;
    // The object was stored without a type: the signed URL makes S3 answer with the media's own.
    const get = new GetObjectCommand({
      Bucket: this.settings.bucket,
      Key: objectKey,
      ResponseContentType: file.mimeType,
      ResponseContentDisposition: file.contentDisposition,
    });
    return { url: await getSignedUrl(this.client, get, { expiresIn: PRESIGNED_URL_TTL_S }), expiresInS: PRESIGNED_URL_TTL_S };
  }

  private async removeAbandonedMarkers(now: number): Promise<number> {
    let removed = 0;
    try {
      const pages = paginateListObjectsV2({ client: this.client }, { Bucket: this.settings.bucket, Prefix: this.keys.markerPrefix });
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          if (!object.Key || !this.keys.isMarker(object.Key) || now - (object.LastModified?.getTime() ?? now) < ABANDONED_MARKER_AGE_MS) continue;
          await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: object.Key }));
          removed += 1;
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not list configuration markers to remove abandoned ones');
    }
    return removed;
  }

  private async abortAbandonedMultipartUploads(now: number): Promise<number> {
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.settings.bucket,
            Prefix: this.settings.prefix || undefined,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
        for (const upload of page.Uploads ?? []) {
          if (!upload.Key || !upload.UploadId || now - (upload.Initiated?.getTime() ?? now) < ABANDONED_UPLOAD_AGE_MS) continue;
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: upload.Key, UploadId: upload.UploadId }));
          removed += 1;
        }
        [keyMarker, uploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
      } while (keyMarker);
    } catch (error) {
      // Some S3-compatible servers do not list multipart uploads; a bucket lifecycle rule
      // (AbortIncompleteMultipartUpload) does the same job there.
      this.logger.warn({ err: error }, 'Could not list unfinished multipart uploads to abort abandoned ones');
    }
    return removed;
  }
}

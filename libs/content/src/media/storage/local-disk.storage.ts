import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@strata/core';
import { DirectDownload, MediaStorage, StoredObject } from './media-storage';
import { StorageKeys } from './storage-keys';
import type { ByteRange } from '../byte-range';

const INCOMING_DIR = '.incoming';
/**
 * A temporary upload file older than this was left by a process that died mid-upload (a live
 * upload renames or removes its file when it ends). Generous, as instances may share the directory.
 */
const ABANDONED_UPLOAD_AGE_MS = 6 * 3_600_000;
const SWEEP_INTERVAL_MS = 3_600_000;

/**
 * The default driver: one file per key in `config.media.storageDir`. Uploads are written to
 * a temporary file in the same directory tree (same file system, so the final rename is
 * atomic) and renamed only once complete, so readers never see half a file.
 */
@Injectable()
export class LocalDiskStorage extends MediaStorage implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LocalDiskStorage.name);
  private readonly incoming: string;
  /** Files directly under the storage directory; the incoming directory is a dot name, so never a key. */
  private readonly keys: StorageKeys;
  private readonly publicUrl?: string;
  private sweeper?: NodeJS.Timeout;

  constructor(config: AppConfig) {
    super();
    const root = config.media.storageDir;
    this.incoming = join(root, INCOMING_DIR);
    this.keys = new StorageKeys(root.endsWith(sep) ? root : `${root}${sep}`);
    this.publicUrl = config.media.publicUrl;
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.incoming, { recursive: true });
    await this.removeAbandonedUploads();
    this.sweeper = setInterval(() => void this.removeAbandonedUploads(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /** Deletes the temporary files of uploads that can no longer finish; answers how many. */
  async removeAbandonedUploads(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.incoming).catch(() => [] as string[])) {
      const path = join(this.incoming, name);
      try {
        if (now - (await stat(path)).mtimeMs < ABANDONED_UPLOAD_AGE_MS) continue;
        await rm(path, { force: true });
        removed += 1;
      } catch (error) {
        // ENOENT: another instance swept it first. Anything else must not stop the boot.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn(`Could not remove ${name}: ${(error as Error).message}`);
      }
    }
    if (removed > 0) this.logger.log(`Removed ${removed} abandoned upload file(s)`);
    return removed;
  }

  async write(key: string, content: Readable): Promise<StoredObject> {
    const target = this.pathOf(key);
    const temporary = join(this.incoming, `${randomUUID()}.part`);
    const digest = createHash('sha256');
    let sizeBytes = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        digest.update(chunk);
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      // `flush` fsyncs before close: the database row that will point at this file must not
      // outlive the bytes after a crash.
      await pipeline(content, measure, createWriteStream(temporary, { flags: 'wx', flush: true }));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { sizeBytes, checksum: digest.digest('hex') };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    // Opened here, not lazily by the stream, so a missing file fails before any header is sent.
    const handle = await open(this.pathOf(key), 'r');
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** A web server or CDN serving the storage directory as it is: its files are named by their keys. */
  downloadUrl(key: string): Promise<DirectDownload | undefined> {
    return Promise.resolve(this.publicUrl ? { url: `${this.publicUrl}/${this.keys.of(key).slice(this.keys.prefix.length)}` } : undefined);
  }

  private pathOf(key: string): string {
    return this.keys.of(key);
  }
}

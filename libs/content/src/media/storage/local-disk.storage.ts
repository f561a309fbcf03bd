import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@strata/core';
import { MediaStorage, StoredObject } from './media-storage';
import type { ByteRange } from '../byte-range';

// Keys name files directly under the storage directory: no dots, so never `..`, never a
// hidden name, and never the incoming directory.
const STORAGE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const INCOMING_DIR = '.incoming';

/**
 * The default driver: one file per key in `config.media.storageDir`. Uploads are written to
 * a temporary file in the same directory tree (same file system, so the final rename is
 * atomic) and renamed only once complete, so readers never see half a file.
 */
@Injectable()
export class LocalDiskStorage extends MediaStorage implements OnModuleInit {
  private readonly root: string;
  private readonly incoming: string;

  constructor(config: AppConfig) {
    super();
    this.root = config.media.storageDir;
    this.incoming = join(this.root, INCOMING_DIR);
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.incoming, { recursive: true });
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

  private pathOf(key: string): string {
    if (!STORAGE_KEY.test(key)) throw new Error(`Invalid media storage key ${JSON.stringify(key)}`);
    return join(this.root, key);
  }
}

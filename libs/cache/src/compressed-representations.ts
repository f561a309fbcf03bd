import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { CacheService } from './cache.service';

export type ContentCoding = 'br' | 'gzip';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Levels by measurement on a page and a list of 20 (bench/compression-levels.js, results in
 * bench/results/compression-levels.md): brotli 5 is as small as 9 and 11 (within 2 %) at a
 * hundredth of their time (they cost milliseconds per body); gzip's default 6 is as small as 9.
 */
const COMPRESSORS: Record<ContentCoding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) => brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  gzip: (body) => gzipAsync(body, { level: 6 }),
};

/**
 * Compressed bodies of cached reads, made once per representation and kept in L1 beside the
 * cached values (same entry and byte bounds), instead of compressing the same bytes again on
 * every request. A representation is named by its strong ETag or by the cached object it was
 * serialized from (`nameCachedBody`); either names exactly one byte sequence, so (route, name,
 * coding) names exactly one compressed body: nothing needs invalidating, a new version has a
 * new name and the old bytes age out of the LRU. Compression runs on libuv's thread pool,
 * once per key however many requests ask for it meanwhile.
 */
@Injectable()
export class CompressedRepresentations {
  private readonly pending = new Map<string, Promise<Buffer>>();

  constructor(private readonly cache: CacheService) {}

  /** The `coding` bytes of `body`: at once when kept, else a promise for them. */
  encode(route: string, name: string, coding: ContentCoding, body: string | Buffer): Buffer | Promise<Buffer> {
    const key = `${coding} ${route} ${name}`;
    const kept = this.cache.l1.getBytes(key);
    if (kept) return kept;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = COMPRESSORS[coding](typeof body === 'string' ? Buffer.from(body) : body)
        .then((bytes) => {
          this.cache.l1.setBytes(key, bytes);
          return bytes;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }
}

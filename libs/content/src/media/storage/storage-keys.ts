import { randomUUID } from 'node:crypto';

// Keys are Strata's own ids: no dots, so never `.` or `..`, never a hidden name, never a
// path separator, so a key joined under a prefix names exactly one entry directly below it.
const STORAGE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
// What a driver writes for itself (temporary files, configuration checks) starts with a dot,
// so it can never be taken for, nor collide with, a media file.
const MARKER_NAME = /^\.strata-check-[0-9a-f-]{36}$/;
const MARKER_PREFIX = '.strata-check-';

/**
 * Where a driver's keys live: every name it reads, writes or deletes is joined here, under one
 * prefix (a directory path ending in a separator, or an S3 key prefix ending in `/`, or empty),
 * and checked, so no driver can be made to touch anything outside it.
 */
export class StorageKeys {
  constructor(readonly prefix: string) {}

  /** The full name of a media file; throws for anything that is not one of our keys. */
  of(key: string): string {
    if (!STORAGE_KEY.test(key)) throw new Error(`Invalid media storage key ${JSON.stringify(key)}`);
    return this.joined(key);
  }

  /** A fresh name for a driver's own short-lived object (a configuration check). */
  newMarker(): string {
    return this.joined(`${MARKER_PREFIX}${randomUUID()}`);
  }

  /** Where markers are listed from (a sweep removes those a dead process left). */
  get markerPrefix(): string {
    return this.joined(MARKER_PREFIX);
  }

  isMarker(name: string): boolean {
    return name.startsWith(this.prefix) && MARKER_NAME.test(name.slice(this.prefix.length));
  }

  private joined(name: string): string {
    // Belt and braces: whatever the checks above allow, the result stays directly under the prefix.
    if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
      throw new Error(`Media storage name ${JSON.stringify(name)} would leave ${JSON.stringify(this.prefix)}`);
    }
    return this.prefix + name;
  }
}

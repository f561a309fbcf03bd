import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '@strata/core';
import { access, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Below this, media uploads and an embedded PostgreSQL's or Redis's writes start failing. */
const MIN_FREE_BYTES = 1024 * 1024 * 1024;

/**
 * Free space on the file system that holds the data directory. Read with statfs(2), not
 * Terminus's DiskHealthIndicator, which runs `df` in a child process on every check.
 */
@Injectable()
export class DiskIndicator {
  constructor(
    private readonly config: AppConfig,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const stats = await statfs(await nearestExistingDirectory(this.config.dataDir));
    const freeBytes = stats.bavail * stats.bsize;
    const totalBytes = stats.blocks * stats.bsize;
    const data = { freeBytes, totalBytes, minFreeBytes: MIN_FREE_BYTES };
    return freeBytes < MIN_FREE_BYTES ? indicator.down({ message: 'low free space', ...data }) : indicator.up(data);
  }
}

/**
 * The path itself, or its closest existing ancestor: the data directory is only created once
 * something (media, an embedded service) writes there, and will land on that file system.
 */
export async function nearestExistingDirectory(path: string): Promise<string> {
  let current = resolve(path);
  for (;;) {
    try {
      await access(current);
      return current;
    } catch (error) {
      const parent = dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
}

import type { RedisClient } from '@strata/core';

/**
 * How long before a lost connection a write to Redis may still be missing from the replica that
 * replaces a dead master. Redis replicates asynchronously: a master that acknowledged a write and
 * died before sending it on takes it along, and the replica promoted in its place (Sentinel)
 * still holds the version before. Replication lag is milliseconds; a second is ample.
 */
export const UNREPLICATED_WINDOW_MS = 1000;

/**
 * The cache keys this instance wrote to Redis lately, handed back when the connection comes back
 * after losing it: they may hold an older version on the new master (a write-back acknowledged
 * by the old one and lost with it), which every instance would read, and serve, until it expires.
 * The cache deletes them again (and tells the other instances), so the next read loads the
 * current version. Seen in the Sentinel scale test: an acknowledged update read at its previous
 * version for longer than the test waited, after the master was killed under load.
 * Written by hand: ioredis reports the reconnection, not what the old master took with it.
 */
export class UnreplicatedWrites {
  private recent: Array<{ key: string; at: number }> = [];
  private lostAt: number | undefined;

  constructor(
    connection: RedisClient,
    /** Called once the connection is ready again, with the keys written shortly before it was lost. */
    private readonly rewrite: (keys: string[]) => void,
    private readonly now: () => number = Date.now,
  ) {
    connection.on('close', () => (this.lostAt ??= this.now()));
    connection.on('ready', () => this.connectionBack());
  }

  /** `key` was written to Redis just now. */
  wrote(key: string): void {
    const now = this.now();
    this.forgetBefore(now - UNREPLICATED_WINDOW_MS);
    this.recent.push({ key, at: now });
  }

  private connectionBack(): void {
    if (this.lostAt === undefined) return;
    const since = this.lostAt - UNREPLICATED_WINDOW_MS;
    this.lostAt = undefined;
    const keys = [...new Set(this.recent.filter((write) => write.at >= since).map((write) => write.key))];
    this.recent = [];
    if (keys.length > 0) this.rewrite(keys);
  }

  private forgetBefore(cutoff: number): void {
    // While the connection is down, keep what was written before it went: the reconnection needs it.
    if (this.lostAt !== undefined) cutoff = Math.min(cutoff, this.lostAt - UNREPLICATED_WINDOW_MS);
    // Pruned a window at a time, not on every write: a copy of the array per write-back would cost
    // as much as the writes themselves at thousands per second (connectionBack filters by time anyway).
    if (this.recent.length === 0 || this.recent[0].at >= cutoff - UNREPLICATED_WINDOW_MS) return;
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop].at < cutoff) drop++;
    if (drop > 0) this.recent = this.recent.slice(drop);
  }
}

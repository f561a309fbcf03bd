import type { RedisClient } from './redis-keyspace';

/**
 * How long before a lost connection a write to Redis may still be missing from the replica that
 * replaces a dead master. Redis replicates asynchronously: a master that acknowledged a write and
 * died before sending it on takes it along, and the replica promoted in its place (Sentinel)
 * still holds what was there before. Replication lag is milliseconds; a second is ample.
 */
export const UNREPLICATED_WINDOW_MS = 1000;

/**
 * What this process wrote to Redis lately, handed back when the connection comes back after
 * losing it, so the writer can make sure it is on the new master. Seen in the Sentinel scale
 * test, with the master killed under load: a cache write-back acknowledged by the old master
 * came back at its previous version (the cache deletes such keys again), and a live event the
 * relay had published was missing from the replay window and from streams (it publishes them
 * again). Items are handed back in the order written, repeats included.
 * Written by hand: ioredis reports the reconnection, not what the old master took with it.
 */
export class UnreplicatedWrites<T> {
  private recent: Array<{ item: T; at: number }> = [];
  private lostAt: number | undefined;

  constructor(
    connection: RedisClient,
    /** Called once the connection is ready again, with what was written shortly before it was lost. */
    private readonly rewrite: (items: T[]) => void,
    private readonly now: () => number = Date.now,
  ) {
    connection.on('close', () => (this.lostAt ??= this.now()));
    connection.on('ready', () => this.connectionBack());
  }

  /** `item` was written to Redis just now. */
  wrote(item: T): void {
    const now = this.now();
    this.forgetBefore(now - UNREPLICATED_WINDOW_MS);
    this.recent.push({ item, at: now });
  }

  private connectionBack(): void {
    if (this.lostAt === undefined) return;
    const since = this.lostAt - UNREPLICATED_WINDOW_MS;
    this.lostAt = undefined;
    const items = this.recent.filter((write) => write.at >= since).map((write) => write.item);
    this.recent = [];
    if (items.length > 0) this.rewrite(items);
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

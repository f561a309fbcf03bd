import type { WalPosition } from './wal-position';

interface Sample {
  at: number;
  position: WalPosition;
}

/**
 * Recent samples of the primary's WAL insert position, to tell how far behind a replica is.
 *
 * Why positions and not `now() - pg_last_xact_replay_timestamp()`: on an idle primary nothing
 * is replayed, so that timestamp ages although the replica misses nothing. Here a replica that
 * has replayed the position the primary had at time t has every commit made before t, so it is
 * at most `now - t` behind; one that has replayed the latest sample is behind by at most the
 * sampling interval, however long the primary has been idle.
 */
export class PrimaryPositions {
  private samples: Sample[] = [];

  constructor(
    /** Samples older than this are forgotten: a replica behind all of them is behind by more. */
    private readonly keepMs: number,
  ) {}

  record(position: WalPosition, at = Date.now()): void {
    this.samples.push({ at, position });
    // The newest sample older than the window stays: it dates the oldest position still covered.
    while (this.samples.length > 1 && this.samples[1].at < at - this.keepMs) this.samples.shift();
  }

  /** The newest position sampled, if any. */
  get latest(): WalPosition | undefined {
    return this.samples.at(-1)?.position;
  }

  /**
   * An upper bound of how far behind (ms) a replica that has replayed `replayed` is: the age of
   * the newest sample it has reached. Undefined when it has reached none of them (further behind
   * than the samples go back, or no sample yet).
   */
  lagOf(replayed: WalPosition, now = Date.now()): number | undefined {
    for (let index = this.samples.length - 1; index >= 0; index--) {
      if (this.samples[index].position <= replayed) return Math.max(0, now - this.samples[index].at);
    }
    return undefined;
  }
}

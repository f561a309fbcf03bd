import { DataSource, type DataSourceOptions, type EntityManager } from 'typeorm';
import type { PrimaryPositions } from './primary-positions';
import { parseWalPosition, type WalPosition } from './wal-position';

/** `up`: read from it. `lagging`: further behind than the bound. `down`: unreachable or not a replica. */
export type ReplicaState = 'connecting' | 'up' | 'lagging' | 'down';

/** What /health and /metrics show: a position in DATABASE_REPLICA_URLS, never a host name or credentials (both are public). */
export interface ReplicaStatus {
  /** `replica-1` is the first URL of DATABASE_REPLICA_URLS. */
  replica: string;
  state: ReplicaState;
  /** Upper bound of how far behind the primary it was at the last poll (absent when unknown). */
  lagMs?: number;
}

/**
 * One read replica: its own TypeORM data source (same entities as the primary, no migrations)
 * and what the last poll saw. Connecting is retried at every poll, so a replica that is down at
 * boot neither fails the boot nor stays unused once it is back.
 */
export class ReadReplica {
  /** host:port/database, for logs only (never the credentials). */
  readonly name: string;
  private dataSource?: DataSource;
  private state: ReplicaState = 'connecting';
  private lagMs?: number;
  private replayed: WalPosition = 0n;
  private polledAt = 0;
  private polling = false;

  constructor(
    /** `replica-1` for the first URL. */
    readonly label: string,
    url: string,
    private readonly options: DataSourceOptions,
    /** Told when it stops being readable, with the reason (which may name hosts: logs only). */
    private readonly onDown: (replica: ReadReplica, reason: string) => void,
  ) {
    const parsed = new URL(url);
    this.name = `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  }

  get status(): ReplicaStatus {
    return { replica: this.label, state: this.state, lagMs: this.lagMs };
  }

  /** Whether reads may go here: up at a poll no older than `freshForMs`. */
  usable(freshForMs: number, now = Date.now()): boolean {
    return this.state === 'up' && this.dataSource?.isInitialized === true && now - this.polledAt <= freshForMs;
  }

  get manager(): EntityManager {
    if (!this.dataSource?.isInitialized) throw new Error(`replica ${this.name} is not connected`);
    return this.dataSource.manager;
  }

  /**
   * Whether it has replayed `floor`: first by what the last poll saw (a lower bound, positions
   * only grow), else by asking it now (one short query on the replica, none on the primary).
   */
  async hasReplayed(floor: WalPosition): Promise<boolean> {
    if (this.replayed >= floor) return true;
    const replayed = await this.replayPosition();
    if (replayed > this.replayed) this.replayed = replayed;
    return replayed >= floor;
  }

  /** Asks the replica where it is and rates it against the primary's recent positions. */
  async poll(primary: PrimaryPositions, maxLagMs: number): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      if (!this.dataSource?.isInitialized) await this.connect();
      this.replayed = await this.replayPosition();
      this.lagMs = primary.lagOf(this.replayed);
      this.state = this.lagMs !== undefined && this.lagMs <= maxLagMs ? 'up' : 'lagging';
      this.polledAt = Date.now();
    } catch (error) {
      this.markDown((error as Error).message);
    } finally {
      this.polling = false;
    }
  }

  /** A read failed here: no more reads until a poll finds it well again. */
  markDown(reason: string): void {
    if (this.state !== 'down') this.onDown(this, reason);
    this.state = 'down';
    this.lagMs = undefined;
    // After a restart it may resume from an earlier position; the next poll says where.
    this.replayed = 0n;
  }

  async close(): Promise<void> {
    const dataSource = this.dataSource;
    this.dataSource = undefined;
    if (dataSource?.isInitialized) await dataSource.destroy();
  }

  private async connect(): Promise<void> {
    const dataSource = new DataSource(this.options);
    await dataSource.initialize();
    this.dataSource = dataSource;
  }

  private async replayPosition(): Promise<WalPosition> {
    const rows: { replayed: string | null }[] = await this.manager.query('SELECT pg_last_wal_replay_lsn()::text AS replayed');
    // NULL on a server that is not in recovery: a promoted replica or a primary named by mistake.
    if (!rows[0]?.replayed) throw new Error('not a streaming replica (pg_last_wal_replay_lsn() is null)');
    return parseWalPosition(rows[0].replayed);
  }
}

import { HttpException, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  type DataSourceOptions,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { RedisConnections } from '../redis/redis-connections';
import { PrimaryPositions } from './primary-positions';
import { ReadFloor } from './read-floor';
import { ReadReplica, type ReplicaStatus } from './read-replica';
import { registerReadMetrics, type ReadCounts } from './read-metrics';
import { parseWalPosition, type WalPosition } from './wal-position';

/** Where the primary's WAL ends now: at or past the end of every commit that has returned. */
const PRIMARY_POSITION_SQL = 'SELECT pg_current_wal_insert_lsn()::text AS position';

/** Why a read went to the primary although replicas are configured. */
export type PrimaryReadReason = 'no_replica' | 'behind_floor' | 'floor_unknown' | 'replica_failed';

/**
 * Where reads that may be a little behind run: lists, searches, graph walks, cache-miss loads.
 * Features call `read(work)` and never learn the topology. Without DATABASE_REPLICA_URLS every
 * read runs on the primary, exactly as before.
 *
 * With replicas, a read runs on one that is
 * - up (its last poll, at most about one poll interval old, succeeded),
 * - no further behind than DATABASE_REPLICA_MAX_LAG_MS (WAL positions compared with the
 *   primary's recent ones, see PrimaryPositions), and
 * - past the read floor (ReadFloor): it has replayed every commit any instance has made
 *   before this read began, so a cache load never stores a version older than one a write
 *   already invalidated.
 * Otherwise, or when the replica fails during the read, the read runs on the primary: a replica
 * never fails a request. Writes, If-Match checks and anything inside a transaction do not come
 * here at all; they use the primary data source.
 *
 * Why not TypeORM's `replication` option: it opens every replica's pool at boot (a replica down
 * then fails the boot), picks a replica at random with no notion of lag or health, and a query
 * on a dead replica fails instead of moving to the primary.
 */
@Injectable()
export class ReadConnections implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplicas');
  private readonly replicas: ReadReplica[] = [];
  private readonly positions: PrimaryPositions;
  private readonly floor: ReadFloor;
  private readonly maxLagMs: number;
  private readonly pollIntervalMs: number;
  private readonly counts: ReadCounts = { replica: 0, primary: new Map() };
  private next = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Since when (hrtime) a commit's end position could not be shared: replicas wait for a primary sample taken after it. */
  private floorPendingSince?: bigint;

  constructor(
    @InjectDataSource() private readonly primary: DataSource,
    private readonly config: AppConfig,
    redis: RedisConnections,
    metrics: MetricsService,
  ) {
    this.maxLagMs = config.database.replicaMaxLagMs;
    // Often enough that a replica's lag is known to within a fraction of the bound.
    this.pollIntervalMs = Math.min(1000, Math.max(100, Math.floor(this.maxLagMs / 5)));
    this.positions = new PrimaryPositions(this.maxLagMs + 2 * this.pollIntervalMs);
    this.floor = new ReadFloor(redis.client);
    if (config.database.replicaUrls.length > 0) registerReadMetrics(metrics.registry, this, this.counts);
  }

  /** Whether any replica is configured. */
  get replicated(): boolean {
    return this.config.database.replicaUrls.length > 0;
  }

  get statuses(): ReplicaStatus[] {
    return this.replicas.map((replica) => replica.status);
  }

  onApplicationBootstrap(): void {
    if (!this.replicated) return;
    const options = this.primary.options;
    const extra = (options as { extra?: Record<string, unknown> }).extra;
    for (const [index, url] of this.config.database.replicaUrls.entries()) {
      this.replicas.push(
        new ReadReplica(
          `replica-${index + 1}`,
          url,
          {
            ...options,
            url,
            migrations: [],
            migrationsRun: false,
            subscribers: [],
            extra: {
              ...extra,
              // A replica that does not answer quickly is skipped for the primary, not waited for.
              connectionTimeoutMillis: 2000,
              application_name: `strata-${this.config.role}-replica-reads`,
            },
          } as DataSourceOptions,
          (replica, reason) => this.logger.warn(`Read replica ${replica.label} (${replica.name}) is not read from until a poll finds it well: ${reason}`),
        ),
      );
    }
    this.primary.subscribers.push(this.commitSubscriber());
    void this.pollLoop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.replicas.map((replica) => replica.close()));
  }

  /** Runs a read that may be slightly behind (never one that decides a write) on a replica or the primary. */
  async read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.replicated) return work(this.primary.manager);
    const chosen = await this.chooseReplica();
    if (!(chosen instanceof ReadReplica)) return this.onPrimary(chosen, work);
    try {
      const result = await work(chosen.manager);
      this.counts.replica += 1;
      return result;
    } catch (error) {
      if (!isReplicaFault(error)) throw error;
      chosen.markDown(`a read failed: ${(error as Error).message}`);
      return this.onPrimary('replica_failed', work);
    }
  }

  private onPrimary<T>(reason: PrimaryReadReason, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    this.counts.primary.set(reason, (this.counts.primary.get(reason) ?? 0) + 1);
    return work(this.primary.manager);
  }

  /** A usable replica past the read floor (round robin among them), or why there is none. */
  private async chooseReplica(): Promise<ReadReplica | PrimaryReadReason> {
    // A replica whose polls stopped answering (a hung connection) is set aside after a few missed ones.
    const freshForMs = 3 * this.pollIntervalMs + 1000;
    const usable = this.replicas.filter((replica) => replica.usable(freshForMs));
    if (usable.length === 0) return 'no_replica';
    if (this.floorPendingSince !== undefined) return 'floor_unknown';
    const floor = await this.floor.current();
    if (floor === undefined) return 'floor_unknown';
    for (let tried = 0; tried < usable.length; tried++) {
      const replica = usable[this.next++ % usable.length];
      try {
        if (await replica.hasReplayed(floor)) return replica;
      } catch (error) {
        replica.markDown((error as Error).message);
      }
    }
    return 'behind_floor';
  }

  /**
   * Raises the read floor after every commit on the primary that wrote something, before the
   * writer goes on to invalidate the cache. Read-only transactions (the outbox relay's empty
   * polls) raise nothing: with them the floor would follow every write, Strata's or not.
   */
  private commitSubscriber(): EntitySubscriberInterface {
    const wrote = new WeakMap<QueryRunner, boolean>();
    return {
      beforeTransactionCommit: async ({ queryRunner }: TransactionCommitEvent) => {
        // A transaction id is assigned at its first write; none means it changed nothing.
        // (txid_current_if_assigned rather than pg_current_xact_id_if_assigned: PostgreSQL 10-12 have only this one.)
        const rows = await (queryRunner.query('SELECT txid_current_if_assigned() IS NOT NULL AS wrote') as Promise<{ wrote: boolean }[]>)
          // Unknown counts as written; if the connection is gone, the COMMIT fails next anyway.
          .catch(() => [{ wrote: true }]);
        if (rows[0]?.wrote) wrote.set(queryRunner, true);
      },
      afterTransactionCommit: async ({ queryRunner }: TransactionCommitEvent) => {
        // Also called when a savepoint is released; only the outermost COMMIT matters.
        if (queryRunner.isTransactionActive || !wrote.get(queryRunner)) return;
        wrote.delete(queryRunner);
        try {
          const rows = (await queryRunner.query(PRIMARY_POSITION_SQL)) as { position: string }[];
          await this.floor.raise(parseWalPosition(rows[0].position));
        } catch (error) {
          // The commit stands; until a primary sample taken after it raises the floor, this instance reads the primary.
          this.floorPendingSince ??= process.hrtime.bigint();
          this.logger.warn(`Could not raise the replica read floor after a commit: ${(error as Error).message}`);
        }
      },
      afterTransactionRollback: ({ queryRunner }: TransactionRollbackEvent) => {
        if (!queryRunner.isTransactionActive) wrote.delete(queryRunner);
      },
    };
  }

  private async pollLoop(): Promise<void> {
    try {
      await this.pollOnce();
    } finally {
      if (!this.stopped) this.timer = setTimeout(() => void this.pollLoop(), this.pollIntervalMs).unref();
    }
  }

  private async pollOnce(): Promise<void> {
    const sampledAfter = process.hrtime.bigint();
    let position: WalPosition;
    try {
      const rows: { position: string }[] = await this.primary.query(PRIMARY_POSITION_SQL);
      position = parseWalPosition(rows[0].position);
    } catch {
      // The primary's own health is /health's postgres check; replicas keep their last rating.
      return;
    }
    this.positions.record(position);
    const pendingSince = this.floorPendingSince;
    if (pendingSince !== undefined && pendingSince < sampledAfter) {
      try {
        await this.floor.raise(position);
        if (this.floorPendingSince === pendingSince) this.floorPendingSince = undefined;
      } catch {
        // Redis is away; try again at the next sample.
      }
    }
    await Promise.all(this.replicas.map((replica) => replica.poll(this.positions, this.maxLagMs)));
  }
}

/**
 * A failure of the replica, as opposed to the work's own answer (a 404 problem). Anything else
 * counts: a refused connection surfaces as pg's bare socket error, a recovery conflict or a
 * timeout as a QueryFailedError, and a read that would fail on the primary as well only costs
 * one more attempt there.
 */
function isReplicaFault(error: unknown): boolean {
  return !(error instanceof HttpException);
}

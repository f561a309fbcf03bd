import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, pipelinedTransaction, sendWithNext } from '@strata/core';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { DomainEvent } from './domain-event';
import { OUTBOX_CHANNEL } from './domain-events';
import { EventStream } from './event-stream';
import { ListenConnection } from './listen-connection';
import { OutboxSubscribers } from './outbox-subscribers';

const BATCH_SIZE = 500;
const PRUNE_EVERY_MS = 60_000;
/** Delays before opening the LISTEN connection again after it broke (the last one repeats). */
const RELISTEN_DELAYS_MS = [100, 1_000, 5_000, 30_000];

/**
 * Moves committed outbox rows on (worker role). Each pass locks a batch of unrelayed rows
 * (`SKIP LOCKED`, so several workers share the work), lets subscribers write in the same
 * transaction (webhook delivery rows), publishes to Redis, marks the rows relayed and commits.
 * If anything fails — Redis down, a crash — the transaction rolls back and the rows are taken
 * again later: at-least-once, never lost. A PostgreSQL NOTIFY from `DomainEvents.record` wakes
 * it at once; a poll catches anything else (and a missed notification).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: ListenConnection;
  private relisten?: NodeJS.Timeout;
  private relistenAttempts = 0;
  private poll?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private lastPrune = 0;
  private reportedFailure = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly stream: EventStream,
    private readonly subscribers: OutboxSubscribers,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
    this.poll = setInterval(() => this.wake(), this.config.events.outboxPollIntervalMs);
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.relisten);
    await this.running;
    this.listener?.close();
  }

  /** Runs passes until the outbox is drained; a wake during a pass schedules one more. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /**
   * Holds one pooled connection LISTENing for the outbox channel. When it breaks (a PostgreSQL
   * restart, a killed backend), the relay polls meanwhile and opens a new one with backoff.
   */
  private async listen(): Promise<void> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      this.scheduleRelisten(error as Error);
      return;
    }
    const listener = new ListenConnection(
      client,
      () => this.wake(),
      (error) => {
        if (this.listener === listener) this.listener = undefined;
        this.scheduleRelisten(error);
      },
    );
    try {
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      listener.lose(error as Error);
      return;
    }
    if (listener.lost) return;
    if (this.stopped) {
      listener.close();
      return;
    }
    this.listener = listener;
    if (this.relistenAttempts > 0) this.logger.log('Outbox listener is back');
    this.relistenAttempts = 0;
    // Notifications sent while no one listened are lost: look for their rows now.
    this.wake();
  }

  private scheduleRelisten(error: Error): void {
    if (this.stopped || this.relisten) return;
    const delay = RELISTEN_DELAYS_MS[Math.min(this.relistenAttempts, RELISTEN_DELAYS_MS.length - 1)];
    if (this.relistenAttempts === 0) this.logger.warn(`Outbox listener connection failed (${error.message}); polling until it is back`);
    this.relistenAttempts += 1;
    this.relisten = setTimeout(() => {
      this.relisten = undefined;
      void this.listen();
    }, delay);
    this.relisten.unref();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.relayBatch()) === BATCH_SIZE);
      for (const listener of this.subscribers.afterCommit) await listener();
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) await this.prune();
      if (this.reportedFailure) this.logger.log('Outbox relay is flowing again');
      this.reportedFailure = false;
    } catch (error) {
      // Typically Redis being down: the rows stay unrelayed and the next poll tries again.
      if (!this.reportedFailure) this.logger.warn(`Outbox relay pass failed: ${(error as Error).message}`);
      this.reportedFailure = true;
    }
  }

  /**
   * One transaction: lock a batch, fan it out, mark it relayed. Returns how many rows it took.
   * Pipelined: BEGIN leaves with the SELECT, the UPDATE with COMMIT (one pass per write under load).
   */
  private async relayBatch(): Promise<number> {
    return pipelinedTransaction(this.dataSource, async (manager) => {
      const rows: { seq: string; payload: DomainEvent }[] = await manager.query(
        `SELECT seq, payload FROM outbox_events WHERE relayed_at IS NULL ORDER BY seq LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED`,
      );
      if (rows.length === 0) return 0;
      const events = rows.map((row) => row.payload);
      for (const listener of this.subscribers.inTransaction) await listener(manager, events);
      await this.stream.publish(events);
      await sendWithNext(manager, `UPDATE outbox_events SET relayed_at = now() WHERE seq = ANY($1::bigint[])`, [rows.map((row) => row.seq)]);
      return rows.length;
    });
  }

  private async prune(): Promise<void> {
    this.lastPrune = Date.now();
    await this.dataSource.query(`DELETE FROM outbox_events WHERE relayed_at < now() - make_interval(hours => $1)`, [this.config.events.outboxRetentionHours]);
  }
}

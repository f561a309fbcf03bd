import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig } from '@strata/core';
import type { DataSource } from 'typeorm';

const PRUNE_EVERY_MS = 10 * 60_000;
/** Rows deleted per statement, so a first prune of a long history holds no long lock. */
const BATCH = 5000;

/**
 * WEBHOOK_ATTEMPT_RETENTION_DAYS (worker role): attempts older than the window are deleted, and
 * so are finished deliveries (succeeded or failed) last touched before it, with what attempts they
 * still had. Pending deliveries are kept whatever their age: they are still being delivered.
 * Both deletes walk a time index (webhook_attempts_attempted_idx, webhook_deliveries_finished_idx).
 */
@Injectable()
export class AttemptLogPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AttemptLogPruner.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.run(), PRUNE_EVERY_MS);
    this.timer.unref();
    this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private run(): void {
    if (this.running) return;
    this.running = this.prune()
      .catch((error: Error) => this.logger.warn(`Pruning the webhook attempt log failed: ${error.message}`))
      .finally(() => (this.running = undefined));
  }

  /** Deletes what is past the retention window; returns how many attempts and deliveries went. */
  async prune(): Promise<{ attempts: number; deliveries: number }> {
    const days = this.config.webhooks.attemptRetentionDays;
    let attempts = 0;
    let deliveries = 0;
    for (;;) {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts WHERE attempted_at < now() - make_interval(days => $1) LIMIT ${BATCH})`,
        [days],
      );
      attempts += count;
      if (count < BATCH) break;
    }
    for (;;) {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM webhook_deliveries WHERE id IN (
           SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < now() - make_interval(days => $1) LIMIT ${BATCH})`,
        [days],
      );
      deliveries += count;
      if (count < BATCH) break;
    }
    return { attempts, deliveries };
  }
}

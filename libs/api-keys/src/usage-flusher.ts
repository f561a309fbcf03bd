import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@strata/core';
import { UsageCounter } from './usage-counter';
import { UsageOutcomes } from './usage-outcomes';
import { RouteUsage } from './route-usage';

const PUBLISH_INTERVAL_MS = 1_000;
const FLUSH_INTERVAL_MS = 5_000;

/**
 * Every second, moves this process's usage sums to Redis; every few seconds writes totals to
 * PostgreSQL. Worker roles (`all`, `worker`) drain the shared Redis counts; an `api`-only
 * process writes just what it could not move to Redis while Redis was down.
 */
@Injectable()
export class UsageFlusher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('UsageFlusher');
  private timer?: NodeJS.Timeout;
  private publishTimer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly usage: UsageCounter,
    private readonly outcomes: UsageOutcomes,
    private readonly routes: RouteUsage,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.publishTimer = setInterval(() => void this.publish(), PUBLISH_INTERVAL_MS);
    this.publishTimer.unref();
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Moves this process's usage sums, outcome and route counts to Redis now (tests call it rather than wait a second). */
  async publish(): Promise<void> {
    await Promise.all([this.usage.publish(), this.outcomes.publish(), this.routes.publish()]);
  }

  /** One flush at a time; a failed one keeps its counts for the next. */
  async flush(): Promise<void> {
    if (this.running) return;
    const includeRedis = this.config.role !== 'api';
    this.running = Promise.all([
      this.usage.flush(includeRedis).catch((error: Error) => this.logger.warn(`Usage flush failed: ${error.message}`)),
      this.outcomes.flush(includeRedis).catch((error: Error) => this.logger.warn(`Usage analytics flush failed: ${error.message}`)),
      this.routes.flush(includeRedis).catch((error: Error) => this.logger.warn(`Route usage flush failed: ${error.message}`)),
    ]);
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.publishTimer);
    await this.running;
    await this.flush();
  }
}

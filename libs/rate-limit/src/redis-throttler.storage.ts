import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { MetricsService, RedisConnections, TierLimits } from '@strata/core';
import { Counter } from 'prom-client';
import { MemoryWindowCounter } from './memory-window-counter';
import { toRateLimitResult, WindowCounts } from './rate-limit-math';
import { MINUTE_WINDOW_MS, RateLimitResult } from './rate-limit-result';
import { SLIDING_WINDOW_SCRIPT } from './sliding-window.script';

type ScriptReply = [string, number, number, number, number, number];
type LimiterClient = { strataRateLimit(minuteKey: string, dayKey: string, ...args: (string | number)[]): Promise<ScriptReply> };

/**
 * The limiter's own connection waits longer than the shared command timeout: under a burst the
 * event loop itself can delay a reply by a few hundred ms, and a timed-out count would fall back
 * to per-instance counting and let more through than the tier allows. A dead Redis still fails
 * at once (no offline queue); only a hung one costs a request this long.
 */
const LIMITER_COMMAND_TIMEOUT_MS = 1_000;

/**
 * @nestjs/throttler storage over Redis. `consume` counts one request against a subject's
 * minute and day policies in one atomic Lua call; when Redis cannot answer it counts in
 * this process instead (see MemoryWindowCounter).
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly memory = new MemoryWindowCounter();
  private readonly outcomes: Counter<'outcome' | 'backend'>;
  private readonly client: LimiterClient;
  /** Members of the minute log must be unique across instances: this process's id plus a counter. */
  private readonly instanceId = randomBytes(6).toString('hex');
  private sequence = 0;

  constructor(redis: RedisConnections, metrics: MetricsService) {
    const connection = redis.create('rate-limit', { commandTimeout: LIMITER_COMMAND_TIMEOUT_MS });
    connection.defineCommand('strataRateLimit', { numberOfKeys: 2, lua: SLIDING_WINDOW_SCRIPT });
    this.client = connection as unknown as LimiterClient;
    this.outcomes = new Counter({
      name: 'strata_rate_limit_requests_total',
      help: 'Requests counted by the rate limiter, by outcome (allowed or rejected) and backend (redis or memory)',
      labelNames: ['outcome', 'backend'] as const,
      registers: [metrics.registry],
    });
  }

  async consume(subject: string, limits: TierLimits, cost: number): Promise<RateLimitResult> {
    let counts: WindowCounts;
    let backend = 'redis';
    try {
      counts = await this.countInRedis(subject, limits, cost);
    } catch {
      backend = 'memory';
      counts = this.memory.count(subject, limits, cost);
    }
    const result = toRateLimitResult(limits, counts);
    this.outcomes.inc({ outcome: result.allowed ? 'allowed' : 'rejected', backend });
    return result;
  }

  /** The ThrottlerStorage contract for a single fixed-limit throttler (`ttl` as its window). */
  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const result = await this.consume(`${throttlerName}:${key}`, { perMinute: limit, perDay: Number.MAX_SAFE_INTEGER }, 1);
    const minute = result.policies[0];
    const timeToExpire = Math.min(minute.resetS, Math.ceil(ttl / 1000));
    return { totalHits: minute.limit - minute.remaining + (result.allowed ? 0 : 1), timeToExpire, isBlocked: !result.allowed, timeToBlockExpire: result.retryAfterS };
  }

  private async countInRedis(subject: string, limits: TierLimits, cost: number): Promise<WindowCounts> {
    const tag = `{${subject}}`;
    const [violated, minuteUsed, minuteResetMs, dayUsed, dayResetMs, retryMs] = await this.client.strataRateLimit(
      `rl:${tag}:m`,
      `rl:${tag}:d`,
      limits.perMinute,
      limits.perDay,
      cost,
      MINUTE_WINDOW_MS,
      `${this.instanceId}:${(this.sequence = (this.sequence + 1) % Number.MAX_SAFE_INTEGER)}`,
    );
    return { violated: violated as WindowCounts['violated'], minuteUsed, minuteResetMs, dayUsed, dayResetMs, retryMs };
  }
}

import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { MetricsService, RedisConnections, TierLimits } from '@strata/core';
import { Counter } from 'prom-client';
import { MemoryWindowCounter } from './memory-window-counter';
import { LEASE_MS, QuotaLeases } from './quota-leases';
import { toRateLimitResult, WindowCounts } from './rate-limit-math';
import { MINUTE_WINDOW_MS, RateLimitResult } from './rate-limit-result';
import { SLIDING_WINDOW_SCRIPT } from './sliding-window.script';

type ScriptReply = [string, number, number, number, number, number, number, number];
type RedisCounts = WindowCounts & { leased: number; leaseMs: number };
type LimiterClient = { strataRateLimit(minuteLog: string, dayQuota: string, minuteSum: string, ...args: (string | number)[]): Promise<ScriptReply> };

/**
 * The limiter's own connection waits longer than the shared command timeout: under a burst the
 * event loop itself can delay a reply by a few hundred ms, and a timed-out count would fall back
 * to per-instance counting and let more through than the tier allows. A dead Redis still fails
 * at once (no offline queue); only a hung one costs a request this long.
 */
const LIMITER_COMMAND_TIMEOUT_MS = 1_000;

/**
 * @nestjs/throttler storage over Redis. `consume` counts one request against a subject's
 * minute and day policies in one atomic Lua call, or from a lease of quota that such a call
 * gave this instance for a busy subject of a large tier (see QuotaLeases); when Redis cannot
 * answer it counts in this process instead (see MemoryWindowCounter).
 *
 * The connection pipelines automatically: the calls of all requests that arrive in one turn
 * of the event loop go out in one write. Measured: one socket write per call cost more CPU
 * than the rest of a cached read (bench/results/auth.md).
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly memory = new MemoryWindowCounter();
  private readonly leases = new QuotaLeases();
  /** Per subject, the Redis call now asking for a lease: true once it answered, false if it failed. */
  private readonly leaseRequests = new Map<string, Promise<boolean>>();
  private readonly outcomes: Counter<'outcome' | 'backend'>;
  private readonly client: LimiterClient;
  /** Members of the minute log must be unique across instances: this process's id plus a counter. */
  private readonly instanceId = randomBytes(6).toString('hex');
  private sequence = 0;

  constructor(redis: RedisConnections, metrics: MetricsService) {
    const connection = redis.create('rate-limit', { commandTimeout: LIMITER_COMMAND_TIMEOUT_MS });
    connection.defineCommand('strataRateLimit', { numberOfKeys: 3, lua: SLIDING_WINDOW_SCRIPT });
    this.client = connection as unknown as LimiterClient;
    this.outcomes = new Counter({
      name: 'strata_rate_limit_requests_total',
      help: 'Requests counted by the rate limiter, by outcome (allowed or rejected) and backend (redis, lease: from quota Redis leased to this instance, or memory)',
      labelNames: ['outcome', 'backend'] as const,
      registers: [metrics.registry],
    });
  }

  async consume(subject: string, limits: TierLimits, cost: number): Promise<RateLimitResult> {
    const { counts, backend } = await this.count(subject, limits, cost);
    const result = toRateLimitResult(limits, counts);
    this.outcomes.inc({ outcome: result.allowed ? 'allowed' : 'rejected', backend });
    return result;
  }

  private async count(subject: string, limits: TierLimits, cost: number): Promise<{ counts: WindowCounts; backend: 'lease' | 'redis' | 'memory' }> {
    const leased = this.leases.spend(subject, cost);
    if (leased) return { counts: leased, backend: 'lease' };
    const pending = this.leaseRequests.get(subject);
    if (pending) {
      // A lease on its way for this subject is awaited rather than raced with more calls; when
      // that call failed, Redis is unreachable and this request is counted here as well.
      if (!(await pending)) return { counts: this.memory.count(subject, limits, cost), backend: 'memory' };
      const fromLease = this.leases.spend(subject, cost);
      if (fromLease) return { counts: fromLease, backend: 'lease' };
    }
    try {
      return { counts: await this.countInRedis(subject, limits, cost), backend: 'redis' };
    } catch {
      return { counts: this.memory.count(subject, limits, cost), backend: 'memory' };
    }
  }

  /** The ThrottlerStorage contract for a single fixed-limit throttler (`ttl` as its window). */
  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const result = await this.consume(`${throttlerName}:${key}`, { perMinute: limit, perDay: Number.MAX_SAFE_INTEGER }, 1);
    const minute = result.policies[0];
    const timeToExpire = Math.min(minute.resetS, Math.ceil(ttl / 1000));
    return {
      totalHits: minute.limit - minute.remaining + (result.allowed ? 0 : 1),
      timeToExpire,
      isBlocked: !result.allowed,
      timeToBlockExpire: result.retryAfterS,
    };
  }

  /** Counts the request in Redis, asking for a lease on the way when the subject is busy enough. */
  private async countInRedis(subject: string, limits: TierLimits, cost: number): Promise<WindowCounts> {
    const asked = this.leases.ask(subject, limits, cost);
    const askedAt = Date.now();
    const call = this.runScript(subject, limits, cost, asked);
    if (asked > 0) {
      this.leaseRequests.set(
        subject,
        call.then(
          () => true,
          () => false,
        ),
      );
    }
    let counts: RedisCounts | undefined;
    try {
      counts = await call;
      return counts.leased > 0
        ? // The leased tokens are not this request's: its headers show only its own cost as used.
          { ...counts, minuteUsed: counts.minuteUsed - counts.leased, dayUsed: counts.dayUsed - counts.leased }
        : counts;
    } finally {
      if (asked > 0) {
        this.leases.granted(subject, asked, counts, askedAt);
        this.leaseRequests.delete(subject);
      }
    }
  }

  private async runScript(subject: string, limits: TierLimits, cost: number, lease: number): Promise<RedisCounts> {
    const tag = `{${subject}}`;
    const [violated, minuteUsed, minuteResetMs, dayUsed, dayResetMs, retryMs, leased, leaseMs] = await this.client.strataRateLimit(
      `rl:${tag}:w`,
      `rl:${tag}:d`,
      `rl:${tag}:ws`,
      limits.perMinute,
      limits.perDay,
      cost,
      MINUTE_WINDOW_MS,
      `${this.instanceId}:${(this.sequence = (this.sequence + 1) % Number.MAX_SAFE_INTEGER)}`,
      lease,
      LEASE_MS,
    );
    return { violated: violated as WindowCounts['violated'], minuteUsed, minuteResetMs, dayUsed, dayResetMs, retryMs, leased, leaseMs };
  }
}

import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, MetricsService, RedisConnections, SecretBox } from '@strata/core';
import { DomainEvents, ENDPOINT_FAILING_THRESHOLD } from '@strata/events';
import { DelayedError, Job, Queue } from 'bullmq';
import { Counter } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { DELIVERY_QUEUE, DeliveryJob } from './delivery-queue.module';
import { EndpointThrottle } from './endpoint-throttle';
import { FifoOrder } from './fifo-order';
import { AttemptResult, postWebhook } from './http-sender';
import { nextRetryDelay, parseRetryAfter } from './retry-delay';
import { liveSecrets } from './live-secrets';
import { mayStartDelivery, nextRecentAttemptMs, slotsPerEndpoint, StepAsidePacer, StepAsideWaiters } from './delivery-slots';
import { MicroBatch } from './micro-batch';
import { HEALTHY_LANE, laneFor } from './delivery-lanes';
import { signWebhook } from './webhook-signer';

/** A FIFO endpoint's later deliveries ask again at least this often (they are woken when the head finishes). */
const FIFO_RECHECK_MS = 5_000;

/** Stale waiter entries skipped at most per freed slot. */
const MAX_WAKE_TRIES = 20;

/** A job read back from Redis carries its priority as a string (none when it never had one). */
function laneOf(job: Job<DeliveryJob>): number {
  return Number(job.priority) || HEALTHY_LANE;
}

interface DeliveryRow {
  id: string;
  status: string;
  event_id: string;
  payload: unknown;
  attempt_count: number;
  retry_base: number;
  endpoint_id: string;
  url: string;
  active: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  rate_limit: number | null;
  fifo: boolean;
  failure_count: number;
}

/**
 * Delivers one webhook attempt per job run and records it. Retries are scheduled here rather
 * than with BullMQ's `attempts`: the delivery row's attempt count is the truth (it survives
 * manual retries and restarts), the delay follows WEBHOOK_RETRY_SCHEDULE with jitter and any
 * Retry-After, and the job is moved to "delayed" without counting a BullMQ failure.
 *
 * Fairness, first by lanes (see delivery-lanes): retries, and deliveries to an endpoint whose
 * last attempt failed, wait in a degraded lane by the length of the endpoint's failure streak,
 * which this worker serves only when no delivery in a better lane is waiting; then by slots (see mayStartDelivery): one endpoint may hold at most half of this worker's
 * concurrency, and a quarter stays free for endpoints with nothing in flight; further jobs for
 * a busy endpoint step aside, paced by how long its attempts take (StepAsidePacer), so slow or
 * hanging receivers cannot starve the others; when one of its attempts ends, the job that has
 * waited longest for that endpoint is brought back at once (StepAsideWaiters).
 *
 * Locks are short so that jobs of a worker that died (SIGKILL) are picked up again within
 * seconds; maxStalledCount is high because a stalled delivery must be retried, not dropped.
 */
@Processor(DELIVERY_QUEUE, { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 1_000 })
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private readonly inFlight = new Map<string, number>();
  private totalInFlight = 0;
  /** Aborted at shutdown: cuts the attempts still in flight short. */
  private readonly stopping = new AbortController();
  /** Per endpoint: how long its attempts have lately taken (sets how long a busy one's jobs step aside). */
  private readonly recentAttemptMs = new Map<string, number>();
  private readonly pacer = new StepAsidePacer();
  private readonly waiters = new StepAsideWaiters();
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly secrets: SecretBox,
    private readonly events: DomainEvents,
    private readonly throttle: EndpointThrottle,
    private readonly fifo: FifoOrder,
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
    metrics: MetricsService,
  ) {
    super();
    this.outcomes = new Counter({
      name: 'strata_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome (success, retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }

  /** Deliveries by id, loaded together with those of the other jobs starting now. */
  private readonly loads = new MicroBatch<string, DeliveryRow | undefined>(async (ids) => {
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT d.id, d.status, d.event_id, d.payload, d.attempt_count, d.retry_base, e.id AS endpoint_id, e.url, e.active,
              e.secret, e.previous_secret, e.previous_secret_expires_at, e.rate_limit, e.fifo, e.failure_count
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  });

  /** Successful attempts, recorded together with the others that finished now (the common case under load). */
  private readonly successes = new MicroBatch<{ delivery: DeliveryRow; result: AttemptResult }, void>(async (items) => {
    // Locks in the order a cascading endpoint delete takes them (endpoint, deliveries, attempts),
    // so the two cannot deadlock; attempts are recorded only for deliveries that still exist.
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE webhook_endpoints SET failure_count = 0 WHERE id = ANY($1::uuid[]) AND failure_count <> 0`, [
        [...new Set(items.map(({ delivery }) => delivery.endpoint_id))],
      ]);
      const [updated]: [{ id: string }[]] = await manager.query(
        `UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, status = 'succeeded', updated_at = now() WHERE id = ANY($1::uuid[]) RETURNING id`,
        [items.map(({ delivery }) => delivery.id)],
      );
      const present = new Set(updated.map((row) => row.id));
      const recorded = items.filter(({ delivery }) => present.has(delivery.id));
      await manager.query(
        `INSERT INTO webhook_attempts (delivery_id, endpoint_id, status_code, duration_ms, response_body)
         SELECT * FROM unnest($1::uuid[], $5::uuid[], $2::int[], $3::int[], $4::text[])`,
        [
          recorded.map(({ delivery }) => delivery.id),
          recorded.map(({ result }) => result.statusCode),
          recorded.map(({ result }) => result.durationMs),
          recorded.map(({ result }) => result.responseBody ?? null),
          recorded.map(({ delivery }) => delivery.endpoint_id),
        ],
      );
    });
    return items.map(() => undefined);
  });

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.webhooks.concurrency;
  }

  /**
   * Shutdown, before @nestjs/bullmq closes the worker (which waits for the jobs in flight): take
   * no new jobs, give the deliveries in flight half the grace period, then cut the rest short so
   * a hanging receiver (its timeout may exceed the grace period) cannot hold the exit; their
   * jobs go back to the queue for the next worker. A graceful BullMQ close also waits for Redis,
   * forever if it is down; then nothing can complete anyway, so close at once (jobs in flight
   * go back to the queue as stalled).
   */
  async onModuleDestroy(): Promise<void> {
    if (this.redis.client.status !== 'ready') {
      this.stopping.abort();
      await this.worker.close(true);
      return;
    }
    await this.worker.pause(true);
    const deadline = Date.now() + this.config.http.shutdownGraceMs / 2;
    while (this.totalInFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    this.stopping.abort();
  }

  /** A slot of the endpoint is free: the job that has waited longest for it is due now. */
  private async wakeWaiter(endpointId: string): Promise<void> {
    // Entries go stale (a job whose delay ran out came back on its own, perhaps to step aside
    // again): skip those until one is still waiting, within a bound.
    for (let tries = 0; tries < MAX_WAKE_TRIES && !this.stopping.signal.aborted; tries++) {
      const jobId = this.waiters.next(endpointId);
      if (!jobId) return;
      try {
        await (await this.queue.getJob(jobId))?.promote();
        return;
      } catch {
        // No longer delayed: try the next one.
      }
    }
  }

  async process(job: Job<DeliveryJob>, token?: string): Promise<void> {
    const delivery = await this.loads.add(job.data.deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    if (!delivery.active) {
      await this.dataSource.query(`UPDATE webhook_deliveries SET status = 'failed', updated_at = now() WHERE id = $1`, [delivery.id]);
      return;
    }

    // The endpoint began failing after this delivery was queued: it waits in the degraded lane.
    if (laneOf(job) === HEALTHY_LANE && laneFor(delivery.failure_count) !== HEALTHY_LANE) {
      await job.changePriority({ priority: laneFor(delivery.failure_count) });
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }

    // The endpoint's own rateLimit (across workers), before the slots: a throttled job takes none.
    if (delivery.rate_limit) {
      const wait = await this.throttle.wait(delivery.endpoint_id, delivery.rate_limit);
      if (wait > 0) {
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
    }

    if (delivery.fifo) {
      const holdMs = this.config.webhooks.timeoutMs + 10_000;
      if (!(await this.fifo.acquire(delivery.endpoint_id, delivery.id, holdMs))) {
        await job.moveToDelayed(Date.now() + FIFO_RECHECK_MS, token);
        // The head may have finished between the check and the move: then nobody wakes this one.
        if (await this.fifo.isHead(delivery.endpoint_id, delivery.id)) await job.promote().catch(() => undefined);
        throw new DelayedError();
      }
      try {
        await this.deliver(job, delivery, token);
      } finally {
        await this.fifo.release(delivery.endpoint_id, delivery.id);
        await this.fifo.wakeNext(delivery.endpoint_id, delivery.id);
      }
      return;
    }
    await this.deliver(job, delivery, token);
  }

  /** Takes a slot (or steps aside), makes the attempt, records it, and schedules a retry if any. */
  private async deliver(job: Job<DeliveryJob>, delivery: DeliveryRow, token?: string): Promise<void> {
    const busy = this.inFlight.get(delivery.endpoint_id) ?? 0;
    if (!mayStartDelivery(busy, this.totalInFlight, this.config.webhooks.concurrency)) {
      const delay = this.pacer.delayFor(
        delivery.endpoint_id,
        this.recentAttemptMs.get(delivery.endpoint_id),
        slotsPerEndpoint(this.config.webhooks.concurrency),
      );
      await job.moveToDelayed(Date.now() + delay, token);
      if (job.id) this.waiters.add(delivery.endpoint_id, job.id);
      throw new DelayedError();
    }
    this.inFlight.set(delivery.endpoint_id, busy + 1);
    this.totalInFlight++;
    let result: AttemptResult;
    try {
      result = await this.attempt(delivery);
      if (!result.interrupted)
        this.recentAttemptMs.set(delivery.endpoint_id, nextRecentAttemptMs(this.recentAttemptMs.get(delivery.endpoint_id), result.durationMs));
    } finally {
      this.totalInFlight--;
      const left = (this.inFlight.get(delivery.endpoint_id) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(delivery.endpoint_id);
      else this.inFlight.set(delivery.endpoint_id, left);
      void this.wakeWaiter(delivery.endpoint_id);
    }

    // Not an attempt the receiver failed: back to the queue, due now, for whichever worker runs next.
    if (result.interrupted) {
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    const { retryAt, failureCount } = await this.record(delivery, result);
    if (retryAt !== undefined) {
      // The retry waits in the lane of the endpoint's failure streak as it now stands.
      if (laneOf(job) !== laneFor(failureCount)) await job.changePriority({ priority: laneFor(failureCount) });
      await job.moveToDelayed(retryAt, token);
      throw new DelayedError();
    }
  }

  private attempt(delivery: DeliveryRow): Promise<AttemptResult> {
    const body = JSON.stringify(delivery.payload);
    const headers = signWebhook(
      delivery.event_id,
      Math.floor(Date.now() / 1000),
      body,
      liveSecrets(delivery).map((sealed) => this.secrets.open(sealed)),
    );
    return postWebhook(delivery.url, body, { ...headers }, this.config.webhooks.timeoutMs, this.config.webhooks.allowPrivateTargets, this.stopping.signal);
  }

  /** Records the attempt and its consequences in one transaction; returns when to retry, if ever, and the endpoint's failure streak. */
  private async record(delivery: DeliveryRow, result: AttemptResult): Promise<{ retryAt?: number; failureCount: number }> {
    const succeeded = result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
    const gone = result.statusCode === 410;
    const failedAttempts = delivery.attempt_count + 1 - delivery.retry_base;
    const delay = succeeded || gone ? undefined : nextRetryDelay(this.config.webhooks.retryScheduleMs, failedAttempts, parseRetryAfter(result.retryAfter));
    const status = succeeded ? 'succeeded' : delay === undefined ? 'failed' : 'pending';
    this.outcomes.inc({ outcome: succeeded ? 'success' : status === 'failed' ? 'failed' : 'retry' });
    if (succeeded) {
      await this.successes.add({ delivery, result });
      return { failureCount: 0 };
    }

    // Same lock order as above: endpoint, delivery, attempt.
    const failureCount = await this.dataSource.transaction(async (manager) => {
      const reason = gone
        ? 'The receiver answered 410 Gone.'
        : status === 'failed'
          ? `Every attempt to deliver ${delivery.event_id} failed over the whole retry schedule (last: ${result.statusCode ?? result.error}).`
          : null;
      // `before` is the row as locked (FOR UPDATE): whether this attempt is the one that disables it.
      const [endpoints]: [{ failure_count: number; url: string; was_active: boolean }[]] = await manager.query(
        `UPDATE webhook_endpoints e
            SET failure_count = e.failure_count + 1,
                active = CASE WHEN $2::text IS NULL THEN e.active ELSE false END,
                disabled_reason = COALESCE($2, e.disabled_reason),
                version = e.version + CASE WHEN $2::text IS NULL THEN 0 ELSE 1 END,
                updated_at = CASE WHEN $2::text IS NULL THEN e.updated_at ELSE now() END
           FROM (SELECT id, active FROM webhook_endpoints WHERE id = $1 FOR UPDATE) before
          WHERE e.id = before.id
          RETURNING e.failure_count, e.url, before.active AS was_active`,
        [delivery.endpoint_id, reason],
      );
      const endpoint = endpoints[0];
      const [updated]: [unknown[]] = await manager.query(
        `UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, status = $2, updated_at = now() WHERE id = $1 RETURNING id`,
        [delivery.id, status],
      );
      if (updated.length > 0) {
        await manager.query(
          `INSERT INTO webhook_attempts (delivery_id, endpoint_id, status_code, duration_ms, response_body, error) VALUES ($1, $6, $2, $3, $4, $5)`,
          [delivery.id, result.statusCode ?? null, result.durationMs, result.responseBody ?? null, result.error?.slice(0, 1000) ?? null, delivery.endpoint_id],
        );
      }
      if (endpoint) await this.recordOperationalEvents(manager, delivery.endpoint_id, endpoint, reason, result);
      if (reason) this.logger.warn(`Webhook endpoint ${delivery.endpoint_id} disabled: ${reason}`);
      return endpoint?.failure_count ?? delivery.failure_count + 1;
    });
    return { retryAt: delay === undefined ? undefined : Date.now() + delay, failureCount };
  }

  /**
   * Operational events, in the outbox within the attempt's transaction like content events:
   * `failing` once per streak (when the consecutive failures reach the threshold; a success
   * resets the count), `disabled` when this attempt is the one that turned the endpoint off.
   */
  private async recordOperationalEvents(
    manager: EntityManager,
    endpointId: string,
    endpoint: { failure_count: number; url: string; was_active: boolean },
    reason: string | null,
    result: AttemptResult,
  ): Promise<void> {
    if (endpoint.failure_count === ENDPOINT_FAILING_THRESHOLD) {
      await this.events.record(manager, 'webhook.endpoint.failing', {
        endpointId,
        url: endpoint.url,
        failureCount: endpoint.failure_count,
        lastStatusCode: result.statusCode ?? null,
        lastError: result.error?.slice(0, 1000) ?? null,
      });
    }
    if (reason && endpoint.was_active) {
      await this.events.record(manager, 'webhook.endpoint.disabled', {
        endpointId,
        url: endpoint.url,
        reason,
        failureCount: endpoint.failure_count,
        disabledAt: new Date().toISOString(),
      });
    }
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`Webhook worker: ${error.message}`);
  }
}

import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RedisConnections } from '@strata/core';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { DELIVERY_QUEUE, DeliveryJob } from './delivery-queue.module';
import { laneFor } from './delivery-lanes';

const BATCH_SIZE = 1000;

/** Finished jobs stay long enough for a re-add after a crash to hit the same job id and be ignored. */
const KEEP_FINISHED = { age: 24 * 3600, count: 100_000 };
/**
 * BullMQ-level retries are only for the processor itself failing (the database away); receiver
 * failures are retried on the webhook schedule by the processor, without counting here.
 */
const INFRASTRUCTURE_RETRIES = { attempts: 10, backoff: { type: 'exponential', delay: 1000 } };
/**
 * The marker (see requeueIfQueueWasLost) and, in the same script so on the same node, the
 * replication id of the master holding the queue. A replica promoted by a failover, or a master
 * that restarted empty, answers a new id: the marker then names another dataset.
 */
const QUEUE_MARKER = 'webhooks:queue-dataset';
const READ_MARKER = `
local info = redis.call('INFO', 'replication')
return { redis.call('GET', KEYS[1]) or '', string.match(info, 'master_replid:(%w+)') or '' }
`;

/**
 * Moves delivery rows not yet queued into BullMQ. The job id is derived from the delivery (one
 * per event and endpoint) and its manual-retry generation, so if the process dies after adding
 * jobs but before marking the rows, the re-add is ignored by BullMQ: no double delivery. A
 * delivery to an endpoint that is failing starts in the degraded lane (see delivery-lanes).
 */
@Injectable()
export class DeliveryEnqueuer {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
    private readonly redis: RedisConnections,
  ) {}

  async enqueuePending(): Promise<void> {
    // BullMQ's connection queues commands while Redis is down; rather than wait on it, leave
    // the rows for a later pass (the shared connection tells whether Redis is reachable).
    if (this.redis.client.status !== 'ready') return;
    await this.requeueIfQueueWasLost();
    while ((await this.enqueueBatch()) === BATCH_SIZE);
  }

  /**
   * Queued jobs live only in Redis. The marker, a key beside the queue's own (in its hash slot on
   * a Cluster), holds the replication id of the master it was written on. If Redis comes back
   * without its data (restarted with no persistence, flushed), the marker is gone; if a replica
   * took over (a Sentinel or Cluster failover), which may lack the last jobs queued on the old
   * master, the id differs. Either way every delivery still pending is queued again. Job ids make
   * this a no-op for any job Redis did keep; a delivery that was waiting for a retry is attempted
   * at once instead of at its scheduled time.
   */
  private async requeueIfQueueWasLost(): Promise<void> {
    const markerKey = this.redis.queueSlotKey(QUEUE_MARKER);
    const [marker, dataset] = (await this.redis.client.eval(READ_MARKER, 1, markerKey)) as [string, string];
    if (marker !== '' && marker === dataset) return;
    await this.dataSource.query(`UPDATE webhook_deliveries SET enqueued_at = NULL WHERE status = 'pending' AND enqueued_at IS NOT NULL`);
    await this.redis.client.set(markerKey, dataset);
  }

  private async enqueueBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { id: string; generation: number; failure_count: number }[] = await manager.query(
        `SELECT d.id, d.generation, e.failure_count FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
          WHERE d.enqueued_at IS NULL ORDER BY d.created_at LIMIT ${BATCH_SIZE} FOR UPDATE OF d SKIP LOCKED`,
      );
      if (rows.length === 0) return 0;
      await this.queue.addBulk(
        rows.map((row) => ({
          name: 'deliver',
          data: { deliveryId: row.id },
          opts: {
            jobId: `${row.id}_${row.generation}`,
            priority: laneFor(row.failure_count),
            removeOnComplete: KEEP_FINISHED,
            removeOnFail: KEEP_FINISHED,
            ...INFRASTRUCTURE_RETRIES,
          },
        })),
      );
      await manager.query(`UPDATE webhook_deliveries SET enqueued_at = now() WHERE id = ANY($1::uuid[])`, [rows.map((row) => row.id)]);
      return rows.length;
    });
  }
}

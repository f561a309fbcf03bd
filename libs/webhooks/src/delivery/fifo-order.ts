import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RedisConnections } from '@strata/core';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { DELIVERY_QUEUE, DeliveryJob } from './delivery-queue.module';

/** Releases the lock only if this delivery still holds it (it may have expired and been taken). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * FIFO mode of an endpoint (`fifo: true`): deliveries are attempted one at a time, across every
 * worker, in the order their events were relayed, and a delivery waiting for a retry holds back
 * every later one (head-of-line blocking, the price of strict order). The head is the endpoint's
 * oldest pending delivery (created_at, id: the relay writes a batch in event order); it alone
 * may take the endpoint's lock in Redis. Others wait in the queue and are brought back when the
 * head finishes (`wakeNext`), or at the latest after FIFO_RECHECK_MS.
 */
@Injectable()
export class FifoOrder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly redis: RedisConnections,
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
  ) {}

  /** Whether this delivery is the endpoint's head and now holds its lock (for at most holdMs). */
  async acquire(endpointId: string, deliveryId: string, holdMs: number): Promise<boolean> {
    if ((await this.head(endpointId))?.id !== deliveryId) return false;
    return (await this.redis.client.set(this.key(endpointId), deliveryId, 'PX', holdMs, 'NX')) === 'OK';
  }

  async release(endpointId: string, deliveryId: string): Promise<void> {
    await this.redis.client.eval(RELEASE, 1, this.key(endpointId), deliveryId);
  }

  async isHead(endpointId: string, deliveryId: string): Promise<boolean> {
    return (await this.head(endpointId))?.id === deliveryId;
  }

  /**
   * The endpoint's head is due now: its job may be waiting behind the previous one. Nothing to
   * do while `previous` is still the head (it is waiting for a retry, and holds the rest back).
   */
  async wakeNext(endpointId: string, previous: string): Promise<void> {
    const head = await this.head(endpointId);
    if (!head || head.id === previous) return;
    try {
      await (await this.queue.getJob(`${head.id}_${head.generation}`))?.promote();
    } catch {
      // Not delayed (running, waiting, or not queued yet): it comes on its own.
    }
  }

  private async head(endpointId: string): Promise<{ id: string; generation: number } | undefined> {
    const [row]: { id: string; generation: number }[] = await this.dataSource.query(
      `SELECT id, generation FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending' ORDER BY created_at, id LIMIT 1`,
      [endpointId],
    );
    return row;
  }

  private key(endpointId: string): string {
    return `webhooks:fifo:${endpointId}`;
  }
}

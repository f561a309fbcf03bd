import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { RedisConnections } from '@strata/core';
import type { Queue } from 'bullmq';

export const DELIVERY_QUEUE = 'webhook-deliveries';

export interface DeliveryJob {
  deliveryId: string;
}

/**
 * The BullMQ queue of webhook deliveries, on a connection from core. BullMQ needs
 * `maxRetriesPerRequest: null`, no command timeout (its blocking reads wait) and its own
 * `prefix` instead of ioredis' keyPrefix (hash-tagged on a Redis Cluster, see RedisConnections).
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [RedisConnections],
      useFactory: (redis: RedisConnections) => ({
        connection: redis.create('bullmq', {
          keyPrefix: undefined,
          maxRetriesPerRequest: null,
          enableOfflineQueue: true,
          commandTimeout: undefined,
          enableAutoPipelining: false,
        }),
        prefix: redis.queuePrefix,
      }),
    }),
    BullModule.registerQueue({ name: DELIVERY_QUEUE }),
  ],
  exports: [BullModule],
})
export class DeliveryQueueModule {
  constructor(@InjectQueue(DELIVERY_QUEUE) queue: Queue) {
    // Without a listener BullMQ prints every failed reconnect to the console; RedisConnections
    // already logs each outage of this connection once.
    queue.on('error', () => undefined);
  }
}

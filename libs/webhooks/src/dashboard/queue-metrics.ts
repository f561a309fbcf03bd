import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { MetricsService, RedisConnections } from '@strata/core';
import { OutboxBacklog } from '@strata/events';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { DELIVERY_QUEUE } from '../delivery/delivery-queue.module';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Queue depth on /metrics: delivery jobs by state, and events still waiting in the outbox. */
@Injectable()
export class QueueMetrics {
  constructor(metrics: MetricsService, redis: RedisConnections, backlog: OutboxBacklog, @InjectQueue(DELIVERY_QUEUE) queue: Queue) {
    new Gauge({
      name: 'strata_webhook_queue_jobs',
      help: 'Webhook delivery jobs in the queue, by state',
      labelNames: ['state'] as const,
      registers: [metrics.registry],
      async collect() {
        // BullMQ's connection would wait for a dead Redis; report nothing rather than stall a scrape.
        if (redis.client.status !== 'ready') return;
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'strata_outbox_pending_events',
      help: 'Domain events committed but not yet relayed',
      registers: [metrics.registry],
      async collect() {
        this.set((await backlog.state()).pending);
      },
    });
  }
}

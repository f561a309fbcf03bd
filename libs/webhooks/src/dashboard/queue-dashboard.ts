import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiKeysService, presentedApiKey } from '@strata/api-keys';
import { PROBLEM_TYPES, problemTypeForStatus, problemTypeUri } from '@strata/core';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DELIVERY_QUEUE } from '../delivery/delivery-queue.module';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board at /admin/queues. It is a Fastify plugin rather than Nest routes, so the global
 * API-key guard does not see it: the plugin checks for a key with the `admin` scope itself.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly apiKeys: ApiKeysService,
    @InjectQueue(DELIVERY_QUEUE) private readonly deliveries: Queue,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const board = new FastifyAdapter();
    board.setBasePath(DASHBOARD_PATH);
    createBullBoard({ queues: [new BullMQAdapter(this.deliveries, { readOnlyMode: false })], serverAdapter: board });
    fastify.register(async (scope) => {
      scope.addHook('onRequest', (request, reply) => this.requireAdmin(request, reply));
      await scope.register(board.registerPlugin());
    }, { prefix: DASHBOARD_PATH });
  }

  private async requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = presentedApiKey(request.headers);
    const verdict = key ? await this.apiKeys.verify(key) : undefined;
    const status = !verdict?.valid ? 401 : verdict.scopes?.includes('admin') ? 0 : 403;
    if (status === 0) return;
    const type = problemTypeForStatus(status);
    await reply
      .status(status)
      .type('application/problem+json')
      .send({
        type: problemTypeUri(type),
        title: PROBLEM_TYPES[type],
        status,
        detail: status === 401 ? 'The queue dashboard needs an API key with the admin scope.' : 'The queue dashboard needs the admin scope.',
        instance: request.url,
        requestId: String(request.id),
      });
  }
}

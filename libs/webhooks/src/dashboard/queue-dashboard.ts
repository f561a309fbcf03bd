import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import fastifyCookie from '@fastify/cookie';
import { FastifyAdapter } from '@bull-board/fastify';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiKeysService, presentedApiKey } from '@strata/api-keys';
import { PROBLEM_TYPES, problemTypeForStatus, problemTypeUri } from '@strata/core';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DELIVERY_QUEUE } from '../delivery/delivery-queue.module';
import { ADMIN_PATH, AdminSessions, adminStatus } from './admin-session';
import { AdminSignIn, SIGN_IN_PATH } from './admin-sign-in';
import { fromThisOrigin } from './same-origin';

export const DASHBOARD_PATH = `${ADMIN_PATH}/queues`;

/**
 * bull-board at /admin/queues. It is a Fastify plugin rather than Nest routes, so the global
 * API-key guard does not see it: the plugin checks for a key with the `admin` scope itself,
 * presented as API clients do (Authorization, X-API-Key) or through a browser session cookie
 * (see AdminSignIn). A browser without either is sent to the sign-in page; anything else gets
 * a 401 problem.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: AdminSessions,
    private readonly signIn: AdminSignIn,
    @InjectQueue(DELIVERY_QUEUE) private readonly deliveries: Queue,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const board = new FastifyAdapter();
    board.setBasePath(DASHBOARD_PATH);
    createBullBoard({ queues: [new BullMQAdapter(this.deliveries, { readOnlyMode: false })], serverAdapter: board });
    // Cookies are parsed under /admin only; form bodies only on the sign-in routes.
    fastify.register(
      async (admin) => {
        await admin.register(fastifyCookie);
        await admin.register((forms) => this.signIn.register(forms));
        await admin.register(
          async (dashboard) => {
            dashboard.addHook('onRequest', (request, reply) => this.requireAdmin(request, reply));
            await dashboard.register(board.registerPlugin());
          },
          { prefix: DASHBOARD_PATH.slice(ADMIN_PATH.length) },
        );
      },
      { prefix: ADMIN_PATH },
    );
  }

  private async requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = presentedApiKey(request.headers);
    const session = key ? undefined : await this.sessions.keyOf(request);
    const status = adminStatus(key ? await this.apiKeys.verify(key) : session);
    // A cookie goes with every request the browser makes, so the dashboard's own actions (pause,
    // retry, clean...) must come from its own pages: SameSite=Strict, and the Origin check too.
    if (status === 0 && session && !SAFE_METHODS.has(request.method) && !fromThisOrigin(request)) {
      await reply
        .status(403)
        .type('application/problem+json')
        .send(problem(request, 403, "A dashboard action sent with the session cookie must come from this server's pages."));
      return;
    }
    if (status === 0) return;
    // A session whose key no longer qualifies (or a forged or expired cookie) is over.
    if (session) this.sessions.end(request, reply);
    if (!key && wantsPage(request)) {
      await reply.header('cache-control', 'no-store').redirect(SIGN_IN_PATH, 303);
      return;
    }
    const detail =
      status === 401
        ? `The queue dashboard needs an API key with the admin scope, or a session from ${SIGN_IN_PATH}.`
        : 'The queue dashboard needs the admin scope.';
    await reply
      .status(status)
      .type('application/problem+json')
      .send(problem(request, status, detail));
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function problem(request: FastifyRequest, status: number, detail: string): object {
  const type = problemTypeForStatus(status);
  return { type: problemTypeUri(type), title: PROBLEM_TYPES[type], status, detail, instance: request.url, requestId: String(request.id) };
}

/** A browser navigating to a page (rather than a script or an API client asking for data). */
function wantsPage(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');
}

import formbody from '@fastify/formbody';
import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '@strata/api-keys';
import { ProblemException } from '@strata/core';
import { TierRateLimitGuard } from '@strata/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_PATH, AdminSessions, adminStatus } from './admin-session';
import { fromThisOrigin, thisOrigin } from './same-origin';
import { SignInPageState, signInPage } from './sign-in-page';

export const SIGN_IN_PATH = `${ADMIN_PATH}/sign-in`;
export const SIGN_OUT_PATH = `${ADMIN_PATH}/sign-out`;

/**
 * GET/POST /admin/sign-in and POST /admin/sign-out: a browser exchanges an admin key for a
 * session cookie (see AdminSessions). Every sign-in attempt counts against the client address's
 * `anonymous` budget, as a request without a valid key does on /api/v1, which slows guessing.
 */
@Injectable()
export class AdminSignIn {
  constructor(
    private readonly sessions: AdminSessions,
    private readonly apiKeys: ApiKeysService,
    private readonly rateLimit: TierRateLimitGuard,
  ) {}

  /** Registers the routes in `scope`, which has the cookie plugin; form bodies are parsed here only. */
  async register(scope: FastifyInstance): Promise<void> {
    await scope.register(formbody);
    scope.get('/sign-in', (request, reply) => this.showForm(request, reply));
    scope.post('/sign-in', (request, reply) => this.signIn(request, reply));
    scope.post('/sign-out', (request, reply) => this.signOut(request, reply));
  }

  private async showForm(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const signedIn = adminStatus(await this.sessions.keyOf(request)) === 0;
    const signedOut = Object.hasOwn(request.query as object, 'signed-out');
    await page(reply, 200, signedIn ? { signedIn, notice: 'You are signed in.' } : signedOut ? { notice: 'You are signed out.' } : {});
  }

  private async signIn(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!fromThisOrigin(request)) return page(reply, 403, { error: crossOrigin(request) });
    try {
      await this.rateLimit.limit(reply, { id: `ip:${request.ip}`, tier: 'anonymous' }, { cost: 1 });
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() !== 429) throw error;
      reply.headers(error.headers ?? {});
      return page(reply, 429, { error: `Too many attempts from this address. ${error.detail}` });
    }
    const key = (request.body as { key?: unknown } | undefined)?.key;
    const verdict = typeof key === 'string' && key.trim() !== '' ? await this.apiKeys.verify(key.trim()) : undefined;
    const status = adminStatus(verdict);
    if (status === 401) return page(reply, 401, { error: 'That key is not valid: it is unknown, revoked or expired.' });
    if (status === 403) return page(reply, 403, { error: 'That key is valid but does not have the admin scope, which the queue dashboard needs.' });
    this.sessions.start(request, reply, verdict!.keyId!);
    await reply.redirect(`${ADMIN_PATH}/queues`, 303);
  }

  private async signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!fromThisOrigin(request)) return page(reply, 403, { error: crossOrigin(request) });
    this.sessions.end(request, reply);
    await reply.redirect(`${SIGN_IN_PATH}?signed-out`, 303);
  }
}

function crossOrigin(request: FastifyRequest): string {
  return `This form was sent from another origin (${String(request.headers.origin ?? request.headers['sec-fetch-site'])}, while this server is ${thisOrigin(request)}). Behind a proxy, set TRUST_PROXY so that the server sees the address the browser uses.`;
}

async function page(reply: FastifyReply, status: number, state: SignInPageState): Promise<void> {
  await reply
    .status(status)
    .header('cache-control', 'no-store')
    // Instead of helmet's no-referrer, under which browsers post the form with `Origin: null`.
    .header('referrer-policy', 'same-origin')
    .type('text/html; charset=utf-8')
    .send(signInPage(state));
}

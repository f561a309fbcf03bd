import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AccessControl, ApiKeyPrincipal, presentedApiKey, routeOf } from '@strata/api-keys';
import { ProblemException, problemTypeUri } from '@strata/core';
import { NO_RATE_LIMIT_HEADERS } from '@strata/rate-limit';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { parseEventFilter } from './event-filter';
import { EventStream, resume } from './event-stream';
import { StreamAdmission } from './stream-admission';
import { WebSocketSession } from './websocket-session';

export const EVENTS_WEBSOCKET_PATH = '/api/v1/events/ws';
/** The subprotocol a client offers (and the server selects) beside its `bearer.<key>` token. */
export const EVENTS_SUBPROTOCOL = 'strata-events';
const BEARER_PROTOCOL_PREFIX = 'bearer.';
/** How long a client authenticating by its first message has to send it. */
const AUTH_TIMEOUT_MS = 10_000;
/** Query parameters that would put a secret in the URL (and so in every access log): refused. */
const SECRET_PARAMETERS = ['key', 'apikey', 'api_key', 'token', 'access_token', 'authorization'];

interface StreamRequest {
  patterns: string[];
  lastEventId?: string;
}

/**
 * `GET /api/v1/events/ws`: the live events over WebSocket, beside the SSE stream, with the same
 * filters (`?types=`), resume (`?lastEventId=`), limits and backpressure. The key is never in the
 * URL: it comes in the Authorization / X-API-Key header (non-browser clients), as a
 * `bearer.<key>` subprotocol offered with `strata-events` (browsers), or in a first message
 * `{"type":"auth","key":"sk_…"}`. The upgrade is taken from Node's HTTP server before Fastify
 * routes it, so the checks the global guard makes (key, tier budget, scope) are made here
 * through the same AccessControl.
 */
@Injectable()
export class EventWebSocketServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 16 * 1024,
    // Only the app protocol is ever selected: the bearer token is not echoed back.
    handleProtocols: (protocols) => (protocols.has(EVENTS_SUBPROTOCOL) ? EVENTS_SUBPROTOCOL : false),
  });
  private httpServer?: Server;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(request, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly access: AccessControl,
    private readonly admission: StreamAdmission,
    private readonly stream: EventStream,
  ) {}

  onApplicationBootstrap(): void {
    this.httpServer = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.httpServer.on('upgrade', this.onUpgrade);
  }

  beforeApplicationShutdown(): void {
    this.httpServer?.off('upgrade', this.onUpgrade);
    for (const client of this.server.clients) client.close(1001, 'server shutting down');
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== EVENTS_WEBSOCKET_PATH) {
      // Someone else may serve other upgrades; with no one else, say so rather than hang.
      if (this.httpServer?.listenerCount('upgrade') === 1) refuse(socket, ProblemException.notFound(`No WebSocket endpoint at ${url.pathname}.`));
      return;
    }
    let stream: StreamRequest;
    let principal: ApiKeyPrincipal | undefined;
    let release: (() => void) | undefined;
    try {
      stream = streamRequestOf(url);
      const key = presentedApiKey(request.headers) ?? bearerProtocolKey(request.headers['sec-websocket-protocol']);
      if (key) {
        principal = await this.admit(key, request);
        release = await this.admission.admit(principal);
      }
    } catch (error) {
      refuse(socket, asProblem(error));
      return;
    }
    this.server.handleUpgrade(request, socket, head, (client) => {
      // subscribe() never rejects (resume() closes the session itself when the history cannot be read).
      if (principal && release) void this.subscribe(client, principal, release, stream);
      else this.awaitAuthMessage(client, request, stream);
    });
  }

  private awaitAuthMessage(client: WebSocket, request: IncomingMessage, stream: StreamRequest): void {
    const timeout = setTimeout(
      () =>
        closeWithProblem(
          client,
          new ProblemException({ status: 401, detail: `Send {"type":"auth","key":"sk_…"} within ${AUTH_TIMEOUT_MS / 1000} s of connecting.` }),
        ),
      AUTH_TIMEOUT_MS,
    );
    client.once('close', () => clearTimeout(timeout));
    client.once('message', (data, isBinary) => {
      clearTimeout(timeout);
      // authenticate() catches every failure itself and closes the socket with the problem.
      void this.authenticate(client, request, stream, data, isBinary);
    });
  }

  private async authenticate(client: WebSocket, request: IncomingMessage, stream: StreamRequest, data: RawData, isBinary: boolean): Promise<void> {
    let release: (() => void) | undefined;
    try {
      const message = isBinary ? undefined : parseAuthMessage(textOf(data));
      if (!message) throw ProblemException.badRequest('The first message must be {"type":"auth","key":"sk_…"} (optionally with "lastEventId").');
      const principal = await this.admit(message.key, request);
      release = await this.admission.admit(principal);
      if (client.readyState !== client.OPEN) return release();
      // Not awaited: from here the session owns release(), and subscribe() never rejects.
      void this.subscribe(client, principal, release, { ...stream, lastEventId: message.lastEventId ?? stream.lastEventId });
    } catch (error) {
      release?.();
      closeWithProblem(client, asProblem(error));
    }
  }

  private async subscribe(client: WebSocket, principal: ApiKeyPrincipal, release: () => void, stream: StreamRequest): Promise<void> {
    const session = new WebSocketSession(client, stream.patterns, this.admission.limits);
    try {
      this.admission.register(session, release);
    } catch (error) {
      closeWithProblem(client, asProblem(error));
      return;
    }
    if (stream.lastEventId) session.hold();
    session.sendControl({ type: 'ready', keyId: principal.keyId, types: stream.patterns });
    if (stream.lastEventId) await resume(session, this.stream, stream.lastEventId);
  }

  /** The global guard's checks for this key (tier budget, scope, usage), for the caller at the socket's address. */
  private admit(key: string, request: IncomingMessage): Promise<ApiKeyPrincipal> {
    const caller = { key, ip: request.socket.remoteAddress ?? '', route: routeOf('GET', EVENTS_WEBSOCKET_PATH) };
    // Rate-limit headers have no place in a WebSocket handshake's answer; a 429 still throws.
    return this.access.admit(caller, NO_RATE_LIMIT_HEADERS, 'content:read', { cost: 1 });
  }
}

function streamRequestOf(url: URL): StreamRequest {
  const secret = [...url.searchParams.keys()].find((name) => SECRET_PARAMETERS.includes(name.toLowerCase()));
  if (secret)
    throw ProblemException.badRequest(
      `An API key never goes in the URL (it would be logged): send it as a "bearer.<key>" subprotocol or in the first message, not as ?${secret}=.`,
    );
  const types = url.searchParams.getAll('types');
  return { patterns: parseEventFilter(types.length > 0 ? types : undefined), lastEventId: url.searchParams.get('lastEventId') ?? undefined };
}

/** A text frame's payload as a string, whichever shape ws delivered it in. */
function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}

function bearerProtocolKey(header: string | undefined): string | undefined {
  const offered = (header ?? '').split(',').map((protocol) => protocol.trim());
  return offered.find((protocol) => protocol.startsWith(BEARER_PROTOCOL_PREFIX))?.slice(BEARER_PROTOCOL_PREFIX.length) || undefined;
}

function parseAuthMessage(text: string): { key: string; lastEventId?: string } | undefined {
  try {
    const message = JSON.parse(text) as { type?: unknown; key?: unknown; lastEventId?: unknown };
    if (message.type !== 'auth' || typeof message.key !== 'string') return undefined;
    return { key: message.key, lastEventId: typeof message.lastEventId === 'string' ? message.lastEventId : undefined };
  } catch {
    return undefined;
  }
}

function asProblem(error: unknown): ProblemException {
  return error instanceof ProblemException ? error : new ProblemException({ status: 503, detail: 'The live events are unavailable right now; retry shortly.' });
}

/** Answers the handshake with the problem instead of upgrading. */
function refuse(socket: Duplex, problem: ProblemException): void {
  const status = problem.getStatus();
  const body = JSON.stringify({
    type: problemTypeUri(problem.problemType),
    title: problem.title,
    status,
    detail: problem.detail,
    instance: EVENTS_WEBSOCKET_PATH,
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
  });
  const headers = { 'Content-Type': 'application/problem+json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...problem.headers };
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n')}\r\n\r\n${body}`,
  );
}

/** After the upgrade a problem is a last `error` message, then a close with code 4000 + its status. */
function closeWithProblem(client: WebSocket, problem: ProblemException): void {
  if (client.readyState !== client.OPEN) return;
  const status = problem.getStatus();
  client.send(JSON.stringify({ type: 'error', status, title: problem.title, detail: problem.detail, ...problem.extensions }));
  client.close(4000 + status, Buffer.from(problem.title).subarray(0, 120).toString());
}

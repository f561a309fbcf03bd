import compress from '@fastify/compress';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  addSecurityHeaders,
  answerClientError,
  AppConfig,
  createValidationPipe,
  drainConnectionsOnClose,
  etagForEncoding,
  logCompletedRequests,
  MetricsService,
  parseJsonBodies,
  ProblemDetailsFilter,
  ProblemException,
  REQUEST_ID_HEADER,
  requestIdFor,
  ROOT_LOGGER,
  RootLogger,
} from '@strata/core';
import { CompressedRepresentations } from '@strata/cache';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { addApiIndex } from './api-index';
import { serveConsole } from './console-assets';
import { answerItemReadsEarly } from './early-item-reads';
import { COMPRESSION, PrecompressedBodies } from './precompressed-bodies';
import { setupOpenApi } from './openapi';

export const API_PREFIX = 'api/v1';
/** Routes that stay outside /api/v1: probes and metrics are for operators and load balancers. */
export const UNPREFIXED_ROUTES = ['health', 'health/live', 'health/ready', 'metrics'];
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'ETag',
  'Location',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/**
 * Builds the HTTP application (not yet listening): Fastify with its plugins, the global
 * pipe and problem filter, request ids, metrics and the OpenAPI document. `main.ts`, the
 * e2e tests and the benchmarks all start Strata through this one function.
 */
export async function createHttpApp(config: AppConfig, logger?: RootLogger): Promise<NestFastifyApplication> {
  const problems = new ProblemDetailsFilter();
  const adapter = new FastifyAdapter({
    // Errors Fastify answers before any route runs (a malformed URL, an over-long path segment)
    // get the same problem+json as every other error.
    // They come before the onRequest hook that sets X-Request-Id, so it is set here too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      problems.send(frameworkProblem(error), request, reply.header(REQUEST_ID_HEADER, request.id)),
    clientErrorHandler: answerClientError,
    bodyLimit: config.http.bodyLimitBytes,
    // request.ip and request.protocol (which picks the HTTPS-only security headers) believe
    // X-Forwarded-For / -Proto only from the proxies TRUST_PROXY names.
    trustProxy: config.http.trustProxy,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // Idle keep-alive sockets are closed at shutdown; requests in flight still finish.
    forceCloseConnections: 'idle',
    // A request that reaches an open keep-alive connection while we drain still gets its real
    // answer (with `Connection: close`, see drainConnectionsOnClose) rather than Fastify's bare
    // 503, which is not problem+json and fails a request the client had every right to send.
    return503OnClosing: false,
  });
  // Bodies are parsed by parseJsonBodies below (JSON only; multipart by its plugin), not by Nest's parsers.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));

  const fastify = app.getHttpAdapter().getInstance();
  addSecurityHeaders(fastify);
  await app.register(cors, {
    origin: config.http.corsOrigins === '*' ? true : config.http.corsOrigins,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  await app.register(compress, COMPRESSION);
  await app.register(multipart, {
    limits: { fileSize: config.media.maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 21, headerPairs: 200 },
  });

  parseJsonBodies(fastify);
  const draining = drainConnectionsOnClose(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // @fastify/compress adds its onSend to each route as the route is registered. Ours are added
  // the same way, later, around it: bodies compressed once per representation go first (it then
  // leaves them alone), and the ETag is marked last, once the content coding is known.
  const compressedOnce = new PrecompressedBodies(app.get(CompressedRepresentations), draining);
  fastify.addHook('onRoute', (route) => {
    const existing = route.onSend ? (Array.isArray(route.onSend) ? route.onSend : [route.onSend]) : [];
    route.onSend = [compressedOnce.onSend, ...existing, markEtagWithEncoding];
  });
  logCompletedRequests(fastify, app.get(ROOT_LOGGER));
  if (config.metricsEnabled) {
    const metrics = app.get(MetricsService);
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  answerItemReadsEarly(app, API_PREFIX, problems, compressedOnce);
  addApiIndex(fastify, API_PREFIX);

  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(problems);
  setupOpenApi(app);
  await serveConsole(app);
  return app;
}

/** Fastify's routing errors, with details that do not repeat the (possibly hostile) path. */
function frameworkProblem(error: Error & { code?: string }): ProblemException {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return new ProblemException({ status: 414, detail: 'A path segment is longer than the 100 characters allowed.' });
  return ProblemException.badRequest('The URL is not valid.');
}

function markEtagWithEncoding(_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  const etag = reply.getHeader('etag');
  if (typeof etag === 'string') reply.header('etag', etagForEncoding(etag, reply.getHeader('content-encoding') as string | undefined));
  done(null, payload);
}

import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { brotliDecompressSync, constants, gunzipSync, inflateSync } from 'node:zlib';

/** One request and the response the app gave it, as the client received it (decoded). */
export interface RecordedExchange {
  method: string;
  /** Path and query, as requested. */
  url: string;
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The decoded body (empty for HEAD, 204, 304), or undefined when it was not kept (too large). */
  body: Buffer | undefined;
}

/** Bodies beyond this are not kept (file downloads, long event streams): status and headers still are. */
const MAX_KEPT_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Records every response an HTTP server sends, at the Node level, after every Fastify hook
 * (compression, ETag marking, early item reads): exactly the bytes and headers a client gets,
 * whichever route or plugin answered. Used by the e2e environment to hold each response against
 * the OpenAPI document (test/support/openapi-conformance.ts).
 */
export class ResponseRecorder {
  readonly exchanges: RecordedExchange[] = [];

  /** Starts recording; the listener runs before Fastify's own, so it sees every response. */
  watch(server: Server): void {
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => this.record(request, response));
  }

  private record(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    let kept = 0;
    let overflow = false;
    let writtenHeaders: OutgoingHttpHeaders = {};
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function' || overflow) return;
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      kept += buffer.length;
      if (kept > MAX_KEPT_BODY_BYTES) {
        overflow = true;
        chunks.length = 0;
      } else chunks.push(buffer);
    };

    // Fastify passes its headers to writeHead() directly, where getHeaders() does not see them.
    const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
    response.writeHead = (...args: unknown[]) => {
      const headers = args.find((arg, index) => index > 0 && arg !== null && typeof arg === 'object');
      writtenHeaders = Array.isArray(headers) ? pairsToObject(headers as string[]) : ((headers as OutgoingHttpHeaders | undefined) ?? {});
      return writeHead(...args);
    };
    const write = response.write.bind(response) as (...args: unknown[]) => boolean;
    response.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as ServerResponse['write'];
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as ServerResponse['end'];

    response.once('close', () => {
      if (!response.headersSent) return; // the socket died before any answer: nothing was sent
      const headers = normalizeHeaders({ ...response.getHeaders(), ...writtenHeaders });
      this.exchanges.push({
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        status: response.statusCode,
        headers,
        body: overflow ? undefined : decode(Buffer.concat(chunks), headers['content-encoding']),
      });
    });
  }
}

function pairsToObject(pairs: string[]): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (let index = 0; index + 1 < pairs.length; index += 2) headers[pairs[index]] = pairs[index + 1];
  return headers;
}

function normalizeHeaders(headers: OutgoingHttpHeaders): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    normalized[key] = normalized[key] === undefined ? text : `${normalized[key]}, ${text}`;
  }
  return normalized;
}

/** The body as the client reads it. A stream cut short (a closed event stream) decodes as far as it got. */
function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (!encoding || encoding === 'identity' || body.length === 0) return body;
  const options = { finishFlush: constants.Z_SYNC_FLUSH };
  if (encoding === 'br') return brotliDecompressSync(body, { finishFlush: constants.BROTLI_OPERATION_FLUSH });
  if (encoding === 'gzip') return gunzipSync(body, options);
  if (encoding === 'deflate') return inflateSync(body, options);
  throw new Error(`Unknown content-encoding ${encoding}`);
}

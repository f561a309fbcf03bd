import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemTypeForStatus, problemTypeUri } from './problem';

const ANSWERS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request line and headers are larger than the server accepts (16 KB).' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request was not received in time.' },
};
const MALFORMED = { status: 400, detail: 'The request is not valid HTTP.' };

/**
 * Node's `clientError`: a request that never reached Fastify (headers too large, malformed HTTP,
 * a client too slow to send it). Answered like every other error, as problem+json (without an
 * instance or request id: there is no parsed request), then the connection is closed, as
 * Fastify's own handler does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, detail } = ANSWERS[error.code ?? ''] ?? MALFORMED;
  const type = problemTypeForStatus(status);
  const body = JSON.stringify({ type: problemTypeUri(type), title: PROBLEM_TYPES[type], status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${PROBLEM_TYPES[type]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

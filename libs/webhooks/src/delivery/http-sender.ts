import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveSafeAddress } from './ssrf-guard';

const BODY_LIMIT = 4096;

export interface AttemptResult {
  statusCode?: number;
  durationMs: number;
  /** The first 4 KB of the response body. */
  responseBody?: string;
  retryAfter?: string;
  error?: string;
  /** The attempt was cut short by our own shutdown, not by the receiver: not the receiver's failure. */
  interrupted?: boolean;
}

// Keep-alive pools per address: deliveries to one receiver reuse connections.
const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }) };

/**
 * One POST to a webhook receiver. The host is resolved and checked by the SSRF guard first,
 * and the socket connects to exactly that address (a `lookup` that answers it), so DNS cannot
 * change between the check and the connection; TLS still verifies the certificate for the
 * host name. Redirects are not followed: a 3xx is just a failed attempt.
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  allowPrivate: boolean,
  stop?: AbortSignal,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  let checked: Awaited<ReturnType<typeof resolveSafeAddress>>;
  try {
    checked = await resolveSafeAddress(target.hostname, allowPrivate);
  } catch (error) {
    return { durationMs: elapsed(), error: `refused: ${(error as Error).message}` };
  }
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [checked]);
    else callback(null, checked.address, checked.family);
  };
  const client = target.protocol === 'https:' ? https : http;

  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<AttemptResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const request = client.request(
      target,
      {
        method: 'POST',
        agent: agents[target.protocol as 'http:' | 'https:'],
        lookup,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Strata-Webhooks/1' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < BODY_LIMIT) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          finish({
            statusCode: response.statusCode,
            responseBody: Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8'),
            retryAfter: response.headers['retry-after'],
          }),
        );
        response.on('error', (error) => finish({ statusCode: response.statusCode, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ error: `timed out after ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    const interrupt = () => {
      finish({ error: 'interrupted: the worker is shutting down', interrupted: true });
      request.destroy();
    };
    if (stop?.aborted) interrupt();
    else stop?.addEventListener('abort', interrupt, { once: true });
    request.once('close', () => stop?.removeEventListener('abort', interrupt));
    request.on('error', (error) => finish({ error: error.message }));
    request.end(body);
  });
}

'use strict';

/**
 * Mixed, paced traffic for the soak: a fixed request rate (not a closed loop, so the server's
 * memory and event-loop delay are measured at a steady load rather than at saturation), capped
 * in-flight requests, and a data set that stays the same size (creates are matched by deletes).
 *
 * 70 % GET one page, 10 % GET a list, 12 % PATCH a page, 4 % POST a page, 4 % DELETE one of
 * the pages this traffic created. Every write emits an event (webhook + SSE).
 */
function startTraffic(baseUrl, headers, pageIds, { rps, maxInFlight = 64 }) {
  const statuses = {};
  const latencies = [];
  const created = [];
  let sequence = 0;
  let inFlight = 0;
  let skipped = 0;
  let writesAcknowledged = 0;

  const send = async (method, path, body) => {
    const startedAt = performance.now();
    inFlight++;
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      latencies.push(performance.now() - startedAt);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (method !== 'GET' && response.status < 300) writesAcknowledged++;
      return { status: response.status, text };
    } catch (error) {
      const code = error.cause?.code ?? error.name;
      statuses[code] = (statuses[code] ?? 0) + 1;
      return { status: 0, text: '' };
    } finally {
      inFlight--;
    }
  };

  const one = async () => {
    const n = sequence++;
    const slot = n % 50;
    const page = pageIds[Math.floor(Math.random() * pageIds.length)];
    if (slot < 35) return send('GET', `/api/v1/pages/${page}`);
    if (slot < 40) return send('GET', `/api/v1/pages?limit=20${slot % 2 ? '&status=draft' : ''}`);
    if (slot < 46) return send('PATCH', `/api/v1/pages/${page}`, { title: `Soak ${n}` });
    if (slot < 48 || created.length === 0) {
      const { status, text } = await send('POST', '/api/v1/pages', { slug: `soak-${n}-${Date.now()}`, title: `Soak ${n}`, body: 'x'.repeat(500) });
      if (status === 201) created.push(JSON.parse(text).id);
      return;
    }
    return send('DELETE', `/api/v1/pages/${created.shift()}`);
  };

  const perTick = rps / 20;
  let owed = 0;
  const timer = setInterval(() => {
    owed += perTick;
    while (owed >= 1) {
      owed--;
      if (inFlight >= maxInFlight) skipped++;
      else void one();
    }
  }, 50);

  return {
    stats: () => ({ statuses, latencies, skipped, sent: sequence, writesAcknowledged }),
    async stop() {
      clearInterval(timer);
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}

module.exports = { startTraffic };

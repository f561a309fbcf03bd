'use strict';

// The floor under Strata's live-event fan-out: bare Fastify holding SSE responses (and `ws`
// WebSocket clients at /api/v1/events/ws) and, on each POST /api/v1/pages, writing one event of
// the same shape and size as Strata's `page.created` to every subscriber in one synchronous loop,
// the plain way (`response.write(frame)`, `socket.send(json)`). No database, no outbox, no Redis,
// no slicing, no backpressure: what is left is the cost of N socket writes and of the
// subscribers' parsing on the same cores.
const { WebSocketServer } = require('ws');
const fastify = require('fastify')({ logger: false });

const subscribers = new Set();
const webSocketServer = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => 'strata-events' });
fastify.server.on('upgrade', (request, socket, head) => {
  webSocketServer.handleUpgrade(request, socket, head, (client) => client.send(JSON.stringify({ type: 'ready' })));
});
let sequence = 0;

fastify.get('/api/v1/events', (request, reply) => {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(request.id),
  });
  response.write(': connected\n\n');
  subscribers.add(response);
  response.on('close', () => subscribers.delete(response));
});

fastify.post('/api/v1/pages', (request, reply) => {
  const { slug, title } = request.body;
  const id = `evt_${String(++sequence).padStart(26, '0')}`;
  // The shape of Strata's page.created event (ids, timestamps, the page's fields), so frames weigh the same.
  const json = JSON.stringify({
    id,
    type: 'page.created',
    timestamp: new Date().toISOString(),
    data: {
      id: '00000000-0000-7000-8000-000000000000',
      slug,
      title,
      status: 'draft',
      locale: 'en',
      version: 1,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    },
  });
  const frame = Buffer.from(`id: ${id}\nevent: page.created\ndata: ${json}\n\n`);
  reply.code(201).send({ slug, title });
  for (const subscriber of subscribers) subscriber.write(frame);
  for (const client of webSocketServer.clients) client.send(json);
});

fastify.get('/health/live', async () => ({ status: 'ok' }));

fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).catch((error) => {
  console.error(error);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    for (const subscriber of subscribers) subscriber.destroy();
    for (const client of webSocketServer.clients) client.terminate();
    fastify.close().then(() => process.exit(0));
  });
}

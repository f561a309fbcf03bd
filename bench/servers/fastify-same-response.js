'use strict';

// The floor under a Strata read: bare Fastify sending a response recorded from Strata (the same
// status, headers and body bytes), with no work behind it. RESPONSE_FILE: { status, headers, bodyBase64 }.
const { readFileSync } = require('node:fs');
const fastify = require('fastify')({ logger: false });

const recorded = JSON.parse(readFileSync(process.env.RESPONSE_FILE, 'utf8'));
const bytes = Buffer.from(recorded.bodyBase64, 'base64');
// Sent as Strata sends it: JSON as a string, a compressed body as bytes. Node writes a string body
// with the headers in one write and a Buffer in a second (corked, one writev), which is part of
// what a compressed answer costs.
const body = recorded.headers['content-encoding'] ? bytes : bytes.toString('utf8');

fastify.get('/', (_request, reply) => {
  reply.code(recorded.status).headers(recorded.headers).send(body);
});

fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).catch((error) => {
  console.error(error);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => fastify.close().then(() => process.exit(0)));
}

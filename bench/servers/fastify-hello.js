'use strict';

// The baseline every Strata ratio is taken against: Fastify with nothing on top.
const fastify = require('fastify')({ logger: false });

fastify.get('/', async () => ({ hello: 'world' }));

fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).catch((error) => {
  console.error(error);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => fastify.close().then(() => process.exit(0)));
}

'use strict';

const { join } = require('node:path');
const { startChildServer } = require('../lib/child-server');

/**
 * The baseline scenario: bare Fastify answering `{hello:'world'}`. Groups list it first and
 * mark it `baseline`, so their ratios are always taken within the same run.
 */
module.exports = {
  name: 'bare Fastify hello-world',
  baseline: true,
  label: 'bare Fastify',
  description: "`GET /` → `{hello:'world'}` from Fastify with no plugins and no logger, in its own process.",
  async setup(ctx) {
    const server = await ctx.scoped(() =>
      startChildServer({ name: 'bare Fastify', script: join(__dirname, '..', 'servers', 'fastify-hello.js'), readyPath: '/' }),
    );
    return { url: `${server.url}/`, serverPid: server.pid };
  },
};

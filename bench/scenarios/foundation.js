'use strict';

const { createPage, startStrata } = require('../lib/strata');
const bareFastify = require('./bare-fastify');

/** About 1 KB of markdown: the size of a typical short page. */
const PAGE_BODY = [
  '# Getting started',
  '',
  'Strata is a headless content API. This page exists so the benchmark reads a realistic row:',
  'a title, a slug and a body of a few paragraphs.',
  '',
  ...Array.from(
    { length: 6 },
    (_, index) => `Paragraph ${index + 1}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`,
  ),
].join('\n');

/** Every /api/v1 route needs a key: the run's admin key (tier `unlimited`, never throttled). */
const ADMIN_KEY = `sk_${require('node:crypto').randomBytes(32).toString('hex')}`;
const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };

const strata = (ctx) => ctx.shared('strata', () => startStrata(ctx.settings, { env: { ADMIN_API_KEY: ADMIN_KEY } }));

/** What the framework and Strata's global layers cost before any caching: the floor later work is compared to. */
module.exports = {
  name: 'foundation',
  description:
    'Framework overhead: bare Fastify against Strata (Nest + Fastify adapter, global pipes, filters, hooks) on a liveness probe and an uncached page read from PostgreSQL.',
  scenarios: [
    bareFastify,
    {
      name: 'Strata GET /health/live',
      description: 'The liveness probe: the whole Nest stack, no I/O.',
      async setup(ctx) {
        const api = await strata(ctx);
        return { url: `${api.url}/health/live` };
      },
    },
    {
      name: 'Strata GET /api/v1/pages/{id} (uncached)',
      description: `One page (body ${Buffer.byteLength(PAGE_BODY)} bytes) created first, then read by id; every request goes to PostgreSQL.`,
      async setup(ctx) {
        const api = await strata(ctx);
        const page = await createPage(api.url, { slug: `bench-${Date.now().toString(36)}`, title: 'Getting started', body: PAGE_BODY }, AUTH);
        return { url: `${api.url}/api/v1/pages/${page.id}`, headers: AUTH };
      },
    },
  ],
};

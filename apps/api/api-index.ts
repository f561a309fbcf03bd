import type { FastifyInstance } from 'fastify';
import { version } from '../../package.json';

/**
 * GET / : a JSON document of where things are, the way GitHub's and similar APIs answer their
 * root, so a first `curl localhost:3000` or a browser finds the docs instead of a 404. A plain
 * Fastify route: outside /api/v1 and outside Nest's guards (no key, no rate limit, nothing to
 * document in the API itself). Links are paths: they hold behind any proxy or host name.
 */
export function addApiIndex(fastify: FastifyInstance, apiPrefix: string): void {
  const body = JSON.stringify({
    name: 'Strata',
    description: 'Headless content API',
    version,
    links: {
      api: `/${apiPrefix}`,
      docs: '/docs',
      openapi: '/docs-json',
      openapiYaml: '/docs-yaml',
      health: '/health',
    },
  });
  fastify.get('/', (_request, reply) => {
    reply.type('application/json; charset=utf-8').send(body);
  });
}

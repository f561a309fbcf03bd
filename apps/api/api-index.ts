import type { OpenAPIObject } from '@nestjs/swagger';
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

/** GET / in the OpenAPI document (a plain Fastify route, which Nest's scanner does not see). */
export function documentApiIndex(document: OpenAPIObject): void {
  const link = { type: 'string', example: '/docs' } as const;
  document.paths['/'] = {
    get: {
      operationId: 'index_get',
      tags: ['health'],
      summary: 'Where things are: the API, its documentation and the health probe',
      responses: {
        '200': {
          description: 'Name, version and links (paths on this host)',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'description', 'version', 'links'],
                properties: {
                  name: { type: 'string', example: 'Strata' },
                  description: { type: 'string', example: 'Headless content API' },
                  version: { type: 'string', example: version },
                  links: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['api', 'docs', 'openapi', 'openapiYaml', 'health'],
                    properties: { api: link, docs: link, openapi: link, openapiYaml: link, health: link },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

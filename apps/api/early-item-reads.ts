import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AccessControl } from '@strata/api-keys';
import { ContentItemReads, isItemId, ITEM_COLLECTIONS, ItemCollection } from '@strata/content';
import { ProblemDetailsFilter } from '@strata/core';
import { defaultCost } from '@strata/rate-limit';
import type { PrecompressedBodies } from './precompressed-bodies';

/**
 * The hottest route, GET /api/v1/{pages|modules|media}/{id}, answered from a Fastify hook before
 * Nest's pipeline (router, guards, pipes, interceptors), which otherwise costs more than the
 * cached read itself. Only the common case is taken here: a canonical id and a key that the
 * access check can admit from memory (cached, with the scope, no usage limit). Everything
 * else (no key, an unknown key, a bad id, ...) goes on to the controller untouched, so the
 * answers, errors included, are the controller's own: the body and headers come from the same
 * ContentItemReads, the access decision from the same AccessControl, and errors from the same
 * problem filter. Security headers, CORS, request ids, compression, the access log and metrics
 * are Fastify hooks and apply as before; a compressed answer whose bytes are kept is written by
 * PrecompressedBodies.answerKept, which does what the onSend hooks would (see there). Nothing
 * like it exists as a package for Nest on Fastify (cache interceptors run after the guards),
 * hence this hook.
 */
export function answerItemReadsEarly(app: NestFastifyApplication, prefix: string, problems: ProblemDetailsFilter, compressed: PrecompressedBodies): void {
  const reads = app.get(ContentItemReads);
  const access = app.get(AccessControl);
  const collectionsByRoute = new Map<string, ItemCollection>(ITEM_COLLECTIONS.map((collection) => [`/${prefix}/${collection}/:id`, collection]));
  const charge = { cost: defaultCost('GET') };
  // A cached item is the same object on every L1 hit, so its JSON is built once, not per request
  // (serializing was the largest piece of the read's own work). Cached items are never mutated.
  const json = new WeakMap<object, string>();
  const serialized = (item: object) => {
    let text = json.get(item);
    if (text === undefined) json.set(item, (text = JSON.stringify(item)));
    return text;
  };

  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET') return;
      const collection = collectionsByRoute.get(request.routeOptions.url ?? '');
      const id = (request.params as { id?: unknown } | undefined)?.id;
      if (!collection || !isItemId(id)) return;
      try {
        if (!(await access.admitFromMemory(request, reply, 'content:read', charge))) return;
        const item = await reads.answer(collection, id, request, reply);
        if (item === undefined) return reply.send();
        const body = serialized(item as object);
        if (compressed.answerKept(request, reply, body)) return reply;
        return reply.type('application/json; charset=utf-8').send(body);
      } catch (error) {
        problems.send(error, request, reply);
        return reply;
      }
    });
}

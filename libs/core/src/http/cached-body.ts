import type { FastifyReply } from 'fastify';

const namesByObject = new WeakMap<object, string>();
const namesByReply = new WeakMap<FastifyReply, string>();
let lastName = 0;

/**
 * Names the body of `reply` after the cached object it is serialized from, for replies without
 * a strong ETag (lists, searches): the cache hands the same object to every read until the
 * entry is replaced, and cached objects are never mutated, so the same name means the same
 * bytes, and anything derived from them (a compressed copy) can be kept under that name.
 * A new object (a reload after a write) gets a new name.
 */
export function nameCachedBody(reply: FastifyReply, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  let name = namesByObject.get(body);
  if (name === undefined) namesByObject.set(body, (name = `#${++lastName}`));
  namesByReply.set(reply, name);
}

/** The name `nameCachedBody` gave this reply's body, if any. */
export function cachedBodyName(reply: FastifyReply): string | undefined {
  return namesByReply.get(reply);
}

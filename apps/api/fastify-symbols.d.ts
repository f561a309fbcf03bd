// Fastify's internal symbols (fastify/lib/symbols.js has no types of its own); only what Strata reads.
declare module 'fastify/lib/symbols' {
  /** The reply's own headers: what Fastify passes to `writeHead` when it sends. */
  export const kReplyHeaders: symbol;
}

import Redis, { Cluster } from 'ioredis';

/** A command connection from RedisConnections: one node (single or Sentinel-managed) or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Every key matching `pattern` (a SCAN MATCH glob on the full key, connection prefix included),
 * a page at a time, from every master: on a Cluster each master holds only its own slots, so one
 * SCAN would see a fraction of the keys. Never KEYS. Throws when a node cannot be asked.
 */
export async function* scanKeys(client: RedisClient, pattern: string, count = 500): AsyncGenerator<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/**
 * UNLINKs keys (names as the client takes them, its key prefix added by it) that may live in
 * different hash slots: one command on a single node, one per key on a Cluster (a multi-key
 * command there must stay within one slot). Answers how many existed.
 */
export async function unlinkKeys(client: RedisClient, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (!(client instanceof Cluster)) return client.unlink(...keys);
  const removed = await Promise.all(keys.map((key) => client.unlink(key)));
  return removed.reduce((sum, n) => sum + n, 0);
}

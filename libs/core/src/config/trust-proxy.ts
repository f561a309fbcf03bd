import { compile } from '@fastify/proxy-addr';

/**
 * Which peers may tell Strata the client's address and protocol (`X-Forwarded-For`,
 * `X-Forwarded-Proto`): Fastify's `trustProxy` option, as it takes it. `false` trusts no one
 * (the socket is the truth), `true` every peer, a number that many hops from the socket, a list
 * those addresses, CIDR ranges or the names `loopback`, `linklocal` and `uniquelocal`.
 */
export type TrustProxy = boolean | number | string[];

const MAX_HOPS = 100;

/**
 * TRUST_PROXY: `true`, `false`, a hop count, or a comma list of addresses and CIDRs. Each list
 * entry is checked by the same compiler Fastify uses, so a value that passes here is one
 * Fastify understands. Throws a message naming what is wrong.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) throw new Error(`a hop count must be at most ${MAX_HOPS}`);
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    try {
      if (entry === '') throw new Error('empty');
      compile(entry);
    } catch {
      throw new Error(
        `"${entry}" is not an address, a CIDR range or one of loopback, linklocal, uniquelocal (expected true, false, a hop count or a comma list)`,
      );
    }
  }
  return entries;
}

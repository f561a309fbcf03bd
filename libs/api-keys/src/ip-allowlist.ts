import { BlockList, isIP } from 'node:net';

/** A parsed CIDR (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or /128), or undefined when malformed. */
export function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address, prefixText, extra] = cidr.trim().split('/');
  const version = isIP(address ?? '');
  if (version === 0 || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * The addresses a key may be used from, as node:net's BlockList (a maintained matcher for
 * subnets of both families). Built once per cached principal, so a check is a few comparisons.
 */
export class IpAllowlist {
  private readonly list = new BlockList();

  constructor(readonly cidrs: string[]) {
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (!parsed) throw new Error(`Not a CIDR: ${cidr}`);
      this.list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }

  /** Whether `ip` (as request.ip gives it: an IPv4 client of a dual-stack socket is `::ffff:a.b.c.d`) is in the list. */
  allows(ip: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const address = mapped ? mapped[1] : ip;
    const version = isIP(address);
    if (version === 0) return false;
    return this.list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }
}

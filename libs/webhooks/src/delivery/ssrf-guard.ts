import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must never reach unless private targets are allowed: loopback, private,
 * link-local (which holds the cloud metadata service 169.254.169.254), CGNAT, multicast,
 * unspecified, documentation/benchmark and reserved ranges, in IPv4 and IPv6. Node's BlockList
 * also matches IPv4-mapped IPv6 (`::ffff:127.0.0.1`) against the IPv4 ranges.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv6');

/** Names that point inside the host or the cloud whatever DNS says. */
const BLOCKED_NAMES = [/^localhost$/, /\.localhost$/, /^metadata\.google\.internal$/, /\.internal$/, /\.local$/];

export class SsrfError extends Error {}

/** Whether an IP literal (v4 or v6, brackets allowed) is one a webhook must not reach. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return true;
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  // BlockList only maps `::ffff:a.b.c.d` to the IPv4 rules when it is checked as such; be explicit.
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (dotted) return BLOCKED.check(dotted[1], 'ipv4');
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
  if (hex) {
    const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return BLOCKED.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
  }
  return BLOCKED.check(bare, 'ipv6');
}

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a URL's host and checks every address it resolves to; the caller connects to the
 * returned address so a DNS answer that changes between check and connect (rebinding) cannot
 * slip through. The WHATWG URL parser has already normalised decimal, octal and hex IPv4
 * spellings (`2130706433`, `0x7f.1`, `0177.0.0.1`) to dotted quads.
 */
export async function resolveSafeAddress(hostname: string, allowPrivate: boolean): Promise<CheckedAddress> {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const literal = isIP(host);
  if (literal !== 0) {
    if (!allowPrivate && isBlockedAddress(host)) throw new SsrfError(`${host} is a private, loopback or reserved address`);
    return { address: host, family: literal as 4 | 6 };
  }
  if (!allowPrivate && BLOCKED_NAMES.some((pattern) => pattern.test(host))) {
    throw new SsrfError(`${host} is an internal host name`);
  }
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch {
    throw new SsrfError(`${host} does not resolve`);
  }
  if (addresses.length === 0) throw new SsrfError(`${host} does not resolve`);
  if (!allowPrivate) {
    const blocked = addresses.find((entry) => isBlockedAddress(entry.address));
    if (blocked) throw new SsrfError(`${host} resolves to ${blocked.address}, a private, loopback or reserved address`);
  }
  return { address: addresses[0].address, family: addresses[0].family as 4 | 6 };
}

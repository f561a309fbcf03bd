import { IpAllowlist, parseCidr } from './ip-allowlist';

describe('IpAllowlist', () => {
  it('parses CIDRs and bare addresses, rejects the rest', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('2001:db8::/32')).toEqual({ address: '2001:db8::', prefix: 32, family: 'ipv6' });
    expect(parseCidr('192.168.1.7')).toEqual({ address: '192.168.1.7', prefix: 32, family: 'ipv4' });
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0/8', 'example.com', '10.0.0.0/8/1', '10.0.0.0/-1', '']) expect(parseCidr(bad)).toBeUndefined();
  });

  it('matches addresses of both families, IPv4-mapped IPv6 as IPv4', () => {
    const list = new IpAllowlist(['10.0.0.0/8', '2001:db8::/32', '127.0.0.1']);
    expect(list.allows('10.200.3.4')).toBe(true);
    expect(list.allows('::ffff:10.1.2.3')).toBe(true);
    expect(list.allows('127.0.0.1')).toBe(true);
    expect(list.allows('2001:db8:1::5')).toBe(true);
    expect(list.allows('11.0.0.1')).toBe(false);
    expect(list.allows('::1')).toBe(false);
    expect(list.allows('not an ip')).toBe(false);
  });
});

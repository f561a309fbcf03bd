import { isBlockedAddress, resolveSafeAddress, SsrfError } from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '[::1]',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::7f00:1',
    'not-an-ip',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it.each(['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/', 'http://[0:0:0:0:0:0:0:1]/'])(
    'refuses the alternative spelling %s once the URL parser has normalised it',
    async (url) => {
      await expect(resolveSafeAddress(new URL(url).hostname, false)).rejects.toBeInstanceOf(SsrfError);
    },
  );

  it('refuses a name that DNS resolves to a private address', async () => {
    // This machine's own name resolves to a loopback or private address on any usual host.
    const { lookup } = await import('node:dns/promises');
    const { hostname } = await import('node:os');
    const resolved = await lookup(hostname()).catch(() => undefined);
    if (resolved && isBlockedAddress(resolved.address)) {
      await expect(resolveSafeAddress(hostname(), false)).rejects.toThrow(/resolves to/);
    } else if (resolved) {
      await expect(resolveSafeAddress(hostname(), false)).resolves.toMatchObject({ address: resolved.address });
    } else {
      await expect(resolveSafeAddress(hostname(), false)).rejects.toThrow(/does not resolve/);
    }
  });

  it('refuses names that resolve to loopback and internal names', async () => {
    await expect(resolveSafeAddress('localhost', false)).rejects.toBeInstanceOf(SsrfError);
    await expect(resolveSafeAddress('metadata.google.internal', false)).rejects.toBeInstanceOf(SsrfError);
  });

  it('lets private targets through when they are allowed, returning the address to connect to', async () => {
    await expect(resolveSafeAddress('127.0.0.1', true)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(resolveSafeAddress('[::1]', true)).resolves.toEqual({ address: '::1', family: 6 });
  });
});

import { DnsLookupError, InvalidUrlError, SsrfBlockedError, assertPublicUrl, classifyAddress, resolveHost } from './address-policy';

describe('classifyAddress', () => {
  it.each([
    ['0.0.0.0', '"this" network'],
    ['0.1.2.3', '"this" network'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.10', 'documentation'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'unique local'],
    ['fd00:ec2::254', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['[fe80::abcd%25en0]', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback (IPv4-mapped)'],
    ['::ffff:7f00:1', 'loopback (IPv4-mapped)'],
    ['[::ffff:127.0.0.1]', 'loopback (IPv4-mapped)'],
    ['::ffff:169.254.169.254', 'link-local (IPv4-mapped)'],
    ['::ffff:a00:1', 'private (IPv4-mapped)'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'private (IPv4-mapped)'],
    ['::127.0.0.1', 'loopback (IPv4-compatible)'],
    ['::7f00:1', 'loopback (IPv4-compatible)'],
    ['64:ff9b::7f00:1', 'loopback (NAT64)'],
    ['64:ff9b::10.0.0.1', 'private (NAT64)'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['64:ff9b:1::8.8.8.8', 'local-use NAT64'],
    ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'local-use NAT64'],
    ['2002:7f00:1::', '6to4'],
    ['2002:7f00:0001::1', '6to4'],
    ['2002:a00:1::1', '6to4'],
    ['2002:808:808::1', '6to4'],
    ['[2002:c0a8:101::]', '6to4'],
    ['2001::1', 'Teredo'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo'],
    ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'Teredo'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['192.88.99.255', '6to4 relay anycast'],
    ['::ffff:192.88.99.1', '6to4 relay anycast (IPv4-mapped)'],
    ['localhost', 'not an IP address'],
    ['', 'not an IP address'],
    ['127.1', 'not an IP address'],
    ['0x7f000001', 'not an IP address'],
    ['2130706433', 'not an IP address'],
  ])('blocks %s (%s)', (ip, reason) => {
    expect(classifyAddress(ip)).toEqual({ blocked: true, reason });
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700::1111',
    '[2606:4700:4700::1111]',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8',
    '2001:db9::1',
    'fbff::1',
    '2001:1::1',
    '2001:1:0:0:0:0:0:0',
    '2003::1',
    '2001:ffff::1',
    '64:ff9b:2::1',
    '192.88.98.255',
    '192.88.100.0',
  ])('allows public %s', (ip) => {
    expect(classifyAddress(ip)).toEqual({ blocked: false });
  });
});

describe('assertPublicUrl', () => {
  const lookupTo =
    (...addresses: string[]) =>
    async (): Promise<string[]> =>
      addresses;

  it('accepts a URL whose host resolves to public addresses', async () => {
    await expect(
      assertPublicUrl('https://hooks.example.com/in', { allowPrivate: false, lookup: lookupTo('93.184.216.34', '2606:4700::1111') }),
    ).resolves.toBeUndefined();
  });

  it('blocks a name resolving to 127.0.0.1', async () => {
    const err = await assertPublicUrl('https://evil.example/', { allowPrivate: false, lookup: lookupTo('127.0.0.1') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect(err).toMatchObject({
      code: 'SSRF_BLOCKED',
      address: '127.0.0.1',
      reason: 'loopback',
      message: 'url resolves to a private or reserved address (loopback)',
      detail: 'resolves to a private or reserved address (loopback)',
    });
    // what a name resolves to stays out of the message (it would map internal DNS for the caller)
    expect((err as Error).message).not.toContain('127.0.0.1');
  });

  it('blocks when ANY resolved address is private', async () => {
    await expect(
      assertPublicUrl('http://mixed.example/', { allowPrivate: false, lookup: lookupTo('8.8.8.8', '10.0.0.5') }),
    ).rejects.toMatchObject({ address: '10.0.0.5', message: 'url resolves to a private or reserved address (private)' });
  });

  it('allows private addresses when allowPrivate is set', async () => {
    await expect(
      assertPublicUrl('http://receiver.internal:8080/', { allowPrivate: true, lookup: lookupTo('10.0.0.5') }),
    ).resolves.toBeUndefined();
  });

  it.each([
    'http://[::ffff:127.0.0.1]/',
    'http://127.0.0.1:3000/x',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://[::1]/',
    'http://[::1]:8080/v1',
    'http://[2002:7f00:1::]/',
    'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
    'http://[64:ff9b:1::a00:1]/',
    'https://192.88.99.1/',
  ])(
    'blocks IP-literal URL %s without a lookup',
    async (url) => {
      const lookup = jest.fn(lookupTo('8.8.8.8'));
      await expect(assertPublicUrl(url, { allowPrivate: false, lookup })).rejects.toBeInstanceOf(SsrfBlockedError);
      expect(lookup).not.toHaveBeenCalled();
    },
  );

  it('blocks http://localhost/ using real DNS', async () => {
    await expect(assertPublicUrl('http://localhost/', { allowPrivate: false })).rejects.toMatchObject({ code: 'SSRF_BLOCKED' });
  });

  const credentials = 'url must not contain credentials (user:password@)';
  it.each([
    ['ftp://example.com/file', 'url must use http or https (got "ftp:")'],
    ['file:///etc/passwd', 'url must use http or https (got "file:")'],
    ['https://user:s3cret@example.com/', credentials],
    ['https://user@example.com/', credentials],
    ['https://:s3cret@example.com/', credentials],
    ['https://@example.com/', credentials],
    ['https://:@example.com/', credentials],
    ['http://user:s3cret@[::1]:8080/v1', credentials],
    ['https:\\\\user:s3cret@example.com/', credentials],
    ['not a url', 'url is not a valid absolute URL'],
  ])('rejects %s, even with private networks allowed', async (url, message) => {
    const err = await assertPublicUrl(url, { allowPrivate: true, lookup: lookupTo('8.8.8.8') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidUrlError);
    expect((err as Error).message).toBe(message);
    expect((err as Error).message).not.toContain('s3cret');
  });

  it.each(['https://example.com/a@b', 'https://example.com/?next=a@b', 'https://example.com#x@y', 'https://example.com:8443/v1'])(
    'accepts %s (an @ outside the authority is not userinfo)',
    async (url) => {
      await expect(assertPublicUrl(url, { allowPrivate: false, lookup: lookupTo('8.8.8.8') })).resolves.toBeUndefined();
    },
  );

  it('reports DNS failures with code DNS', async () => {
    const failing = async (): Promise<string[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nope.invalid'), { code: 'ENOTFOUND' });
    };
    const err = await assertPublicUrl('https://nope.invalid/', { allowPrivate: false, lookup: failing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsLookupError);
    expect(err).toMatchObject({ code: 'DNS', dnsCode: 'ENOTFOUND' });
    await expect(resolveHost('empty.example', { allowPrivate: false, lookup: lookupTo() })).rejects.toMatchObject({ code: 'DNS' });
  });
});

import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** SSRF protection: which addresses requests to team-supplied URLs (webhooks, runtimes, Slack response_url) may reach. */

export interface AddressClassification {
  blocked: boolean;
  reason?: string;
}

/** Resolves a host name to every address it has. */
export type HostLookup = (hostname: string) => Promise<string[]>;

/**
 * The errors below carry `detail`: what is wrong, without a subject, so a caller can name its own field
 * (`runtime.baseUrl ${detail}`); `message` is `url ${detail}`. The resolved address is kept out of both (a team
 * must not learn what an internal name resolves to); it is on `address` for our logs.
 */
export class SsrfBlockedError extends Error {
  readonly code = 'SSRF_BLOCKED' as const;
  readonly detail: string;
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    const detail = `resolves to a private or reserved address (${reason})`;
    super(`url ${detail}`);
    this.detail = detail;
    this.name = 'SsrfBlockedError';
  }
}

export class DnsLookupError extends Error {
  readonly code = 'DNS' as const;
  readonly detail: string;
  constructor(
    readonly hostname: string,
    readonly dnsCode: string,
  ) {
    const detail = `host "${hostname.slice(0, 100)}" could not be resolved (${dnsCode})`;
    super(`url ${detail}`);
    this.detail = detail;
    this.name = 'DnsLookupError';
  }
}

export class InvalidUrlError extends Error {
  readonly code = 'INVALID_URL' as const;
  constructor(readonly detail: string) {
    super(`url ${detail}`);
    this.name = 'InvalidUrlError';
  }
}

type Rule = [network: string, prefix: number, reason: string];

const IPV4_RULES: Rule[] = [
  ['255.255.255.255', 32, 'broadcast'],
  ['0.0.0.0', 8, '"this" network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_RULES: Rule[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  // Transition tunnels carry an IPv4 address inside (6to4: bits 16–47; Teredo: the server and the obfuscated
  // client); both are deprecated, so the whole prefixes are refused rather than decoded.
  ['2001::', 32, 'Teredo'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

/** IPv6 prefixes whose last 32 bits are an IPv4 address that the traffic really goes to. */
const EMBEDDED_IPV4: Rule[] = [
  ['::ffff:0:0', 96, 'IPv4-mapped'],
  ['::', 96, 'IPv4-compatible'],
  ['64:ff9b::', 96, 'NAT64'],
];

function compile(rules: Rule[], family: 'ipv4' | 'ipv6'): Array<{ list: BlockList; reason: string }> {
  return rules.map(([network, prefix, reason]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { list, reason };
  });
}

const ipv4Rules = compile(IPV4_RULES, 'ipv4');
const ipv6Rules = compile(IPV6_RULES, 'ipv6');
const embeddedRules = compile(EMBEDDED_IPV4, 'ipv6');

/** Classifies one IP address. Accepts `[v6]` brackets and `%zone` suffixes; anything else that is not an IP is blocked. */
export function classifyAddress(ip: string): AddressClassification {
  const address = normaliseAddress(ip);
  const family = isIP(address);
  if (family === 4) {
    const hit = ipv4Rules.find((rule) => rule.list.check(address, 'ipv4'));
    return hit ? { blocked: true, reason: hit.reason } : { blocked: false };
  }
  if (family !== 6) return { blocked: true, reason: 'not an IP address' };

  const hit = ipv6Rules.find((rule) => rule.list.check(address, 'ipv6'));
  if (hit) return { blocked: true, reason: hit.reason };
  const embedding = embeddedRules.find((rule) => rule.list.check(address, 'ipv6'));
  if (embedding) {
    const inner = classifyAddress(embeddedIpv4(address));
    return inner.blocked ? { blocked: true, reason: `${inner.reason} (${embedding.reason})` } : { blocked: false };
  }
  return { blocked: false };
}

/** Parses a URL and checks it is http(s) without userinfo (`user:pass@`, or even an empty `@`). */
export function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidUrlError('is not a valid absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidUrlError(`must use http or https (got "${parsed.protocol.slice(0, 20)}")`);
  }
  // WHATWG parsing drops an empty userinfo ("https://@host", "https://:@host"); the raw authority still shows it.
  if (parsed.username !== '' || parsed.password !== '' || hasUserinfo(url)) {
    throw new InvalidUrlError('must not contain credentials (user:password@)');
  }
  return parsed;
}

/** `@` in the authority (after the scheme and its slashes, before the path; a backslash counts as a slash). */
function hasUserinfo(url: string): boolean {
  const afterScheme = url.trim().replace(/^[a-z][a-z0-9+.-]*:[/\\]*/i, '');
  return /^[^/\\?#]*@/.test(afterScheme);
}

export const defaultLookup: HostLookup = async (hostname) => {
  const results = await dns.lookup(hostname, { all: true });
  return results.map((r) => r.address);
};

/**
 * Resolves a host (an IP literal resolves to itself) and, unless allowPrivate, throws
 * SsrfBlockedError if ANY of its addresses is private or reserved. DNS failures throw DnsLookupError.
 */
export async function resolveHost(
  hostname: string,
  opts: { allowPrivate: boolean; lookup?: HostLookup },
): Promise<string[]> {
  const host = normaliseAddress(hostname);
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await (opts.lookup ?? defaultLookup)(host);
    } catch (err) {
      throw new DnsLookupError(host, errorCode(err) ?? 'lookup failed');
    }
    if (addresses.length === 0) throw new DnsLookupError(host, 'no addresses');
  }
  if (!opts.allowPrivate) {
    for (const address of addresses) {
      const verdict = classifyAddress(address);
      if (verdict.blocked) throw new SsrfBlockedError(address, verdict.reason ?? 'blocked');
    }
  }
  return addresses;
}

/** Validates a URL for an outbound request (scheme, credentials, resolved addresses). */
export async function assertPublicUrl(
  url: string,
  opts: { allowPrivate: boolean; lookup?: (host: string) => Promise<string[]> },
): Promise<void> {
  const parsed = parseHttpUrl(url);
  await resolveHost(parsed.hostname, opts);
}

function normaliseAddress(ip: string): string {
  let address = ip.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  return zone >= 0 ? address.slice(0, zone) : address;
}

/** The last 32 bits of an IPv6 address (given in any valid textual form) as dotted IPv4. */
function embeddedIpv4(ipv6: string): string {
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(ipv6);
  if (dotted) return dotted[1];
  const groups = ipv6.split(':');
  const low = parseInt(groups[groups.length - 1] || '0', 16);
  const high = parseInt(groups[groups.length - 2] || '0', 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

import { isIP } from 'node:net';

/**
 * What Express's `trust proxy` setting takes, as TRUST_PROXY gives it: `false` (no proxy: the client is the peer),
 * `true` (every hop: the left-most X-Forwarded-For entry), a number of hops, or addresses, subnets and the names
 * `loopback`, `linklocal`, `uniquelocal`.
 */
export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** A contiguous IPv4 netmask such as 255.255.255.0 (Express accepts `10.0.0.0/255.0.0.0`). */
function isIpv4Netmask(mask: string): boolean {
  if (isIP(mask) !== 4) return false;
  const bits = mask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return /^1+0*$/.test(bits);
}

/** Why `entry` is not an address, a subnet or a named range; undefined when it is one. */
function entryProblem(entry: string): string | undefined {
  if (NAMED_RANGES.has(entry)) return undefined;
  const slash = entry.lastIndexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (!version) return `"${entry}" is not an IP address, a subnet or one of ${[...NAMED_RANGES].join(', ')}`;
  if (slash === -1) return undefined;
  const range = entry.slice(slash + 1);
  const max = version === 4 ? 32 : 128;
  if (/^\d+$/.test(range) && Number(range) >= 1 && Number(range) <= max) return undefined;
  if (version === 4 && isIpv4Netmask(range) && range !== '0.0.0.0') return undefined;
  return `"${entry}" has an invalid prefix length or netmask (1 to ${max})`;
}

/** Parses TRUST_PROXY; unset means no proxy is trusted. Throws an Error naming the variable. */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? '';
  if (value === '' || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  const problems = entries.map((e) => (e === '' ? 'an empty entry' : entryProblem(e))).filter((p): p is string => p !== undefined);
  if (problems.length) {
    throw new Error(`TRUST_PROXY must be true, false, a number of hops or a comma-separated list of addresses/subnets: ${problems.join('; ')}`);
  }
  return entries;
}

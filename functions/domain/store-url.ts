// Where a store API base URL may point. huitou sends the store's token there,
// so it must be https and reach the public internet: never loopback, private,
// link-local (the cloud metadata address) or any other special-purpose range.
// The URL is checked when staff set it, and every address its host resolves to
// is checked again when huitou connects (a DNS answer can change).
import { BlockList, isIP } from 'node:net';

export interface StoreUrlPolicy {
  /** The local stack only: http and https to loopback, so tests can aim at local fakes. */
  allowLoopback: boolean;
}

export type StoreUrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * IANA's special-purpose registries (RFC 6890 and successors). BlockList checks
 * an IPv4-mapped IPv6 address (::ffff:a.b.c.d) against the IPv4 rules.
 */
const notPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT (100.100.100.200 is a cloud metadata address)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local: 169.254.169.254 is the instance metadata service
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast included
] as const) {
  notPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['64:ff9b::', 96], // NAT64 reaches IPv4 addresses through a translator
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23], // IETF protocol assignments, Teredo included
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4 wraps an IPv4 address
  ['fc00::', 7], // unique local, fd00::/8 (and fd00:ec2::254, the IPv6 metadata address) included
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local, deprecated
  ['ff00::', 8], // multicast
] as const) {
  notPublic.addSubnet(network, prefix, 'ipv6');
}

function family(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

export function isLoopbackAddress(address: string): boolean {
  const kind = family(address);
  return kind !== undefined && loopback.check(address, kind);
}

/** What is wrong with connecting to this IP address, or undefined when huitou may. */
export function refusedAddress(address: string, policy: StoreUrlPolicy): string | undefined {
  const kind = family(address);
  if (kind === undefined) return `${address}, which is not an IP address`;
  if (policy.allowLoopback && loopback.check(address, kind)) return undefined;
  if (notPublic.check(address, kind)) return `${address}, a loopback, private, link-local or reserved address`;
  return undefined;
}

/** "localhost", "api.localhost." and the like: loopback by name (RFC 6761). */
function isLocalhostName(hostname: string): boolean {
  const name = hostname.replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Checks a store API base URL as WHATWG's parser reads it, so decimal, octal
 * and hex IPv4 forms (http://2130706433, http://0177.0.0.1) are seen as the
 * addresses they are. A host name passes here; its addresses are checked
 * when huitou connects.
 */
export function checkStoreApiUrl(raw: string, policy: StoreUrlPolicy): StoreUrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'must not carry a user name or password' };
  if (url.search !== '' || url.hash !== '') return { ok: false, reason: 'must not carry a query or a fragment' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = family(host) !== undefined;
  const isLoopback = literal ? isLoopbackAddress(host) : isLocalhostName(host);
  const loopbackAllowed = policy.allowLoopback && isLoopback;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackAllowed)) {
    return { ok: false, reason: `must be an https URL (not ${url.protocol})` };
  }
  if (host === '') return { ok: false, reason: 'must name a host' };
  if (literal) {
    const refused = refusedAddress(host, policy);
    return refused === undefined ? { ok: true, url } : { ok: false, reason: `points at ${refused}` };
  }
  if (isLoopback && !loopbackAllowed) return { ok: false, reason: `points at ${host}, a loopback name` };
  return { ok: true, url };
}

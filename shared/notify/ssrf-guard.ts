/**
 * The SSRF guard of the generic webhook sink: a destination must be a public unicast address.
 * Checked on the address the connection will actually use — after DNS resolution — so a public
 * name that resolves to 169.254.169.254 is refused, and the caller pins the connection to the
 * checked address (no second lookup, so no DNS rebinding between check and connect).
 *
 * Refused: loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
 * fe80::/10), CGNAT (100.64/10), cloud metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200,
 * 192.0.0.192), unspecified, multicast, broadcast, documentation and reserved ranges — and every
 * IPv6 form that embeds an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible, NAT64
 * 64:ff9b::/96, 6to4 2002::/16), judged by the embedded address.
 *
 * `allowPrivate` (local testing) lets loopback, private, CGNAT and link-local through; metadata,
 * unspecified and multicast addresses are refused even then.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

/** Classes that `allowPrivate` lets through. */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'link-local', 'cgnat']);

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves every address of a host name (the shape of `dns.promises.lookup(name, { all: true })`). */
export type LookupFunction = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const defaultLookup: LookupFunction = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The destination is not allowed; `reason` says why (`resolves to metadata address 169.254.169.254`). */
export class DestinationRefusedError extends Error {
  override name = 'DestinationRefusedError';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`destination refused: ${reason}`, options);
  }
}

/** The destination's name could not be resolved (worth retrying: DNS may come back). */
export class DestinationLookupError extends Error {
  override name = 'DestinationLookupError';
}

function parseIpv4(address: string): number[] | null {
  if (isIP(address) !== 4) return null;
  return address.split('.').map(Number);
}

/** 16 bytes of an IPv6 address (zone id dropped, embedded dotted quad accepted). */
export function parseIpv6(input: string): number[] | null {
  const address = input.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(address) !== 6) return null;
  let text = address;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = parseIpv4(dotted[1]);
    if (!v4) return null;
    tail.push(...v4);
    text = `${text.slice(0, -dotted[1].length)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...restGroups];
  if (groups.length !== 8) return null;
  const bytes: number[] = [];
  for (const group of groups) {
    const value = Number.parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function classifyIpv4(b: readonly number[]): AddressClass {
  const [a = 0, c = 0, d = 0, e = 0] = b;
  const text = `${a}.${c}.${d}.${e}`;
  if (text === '169.254.169.254' || text === '100.100.100.200' || text === '192.0.0.192') return 'metadata';
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return 'private';
  if (a === 169 && c === 254) return 'link-local';
  if (a === 100 && c >= 64 && c <= 127) return 'cgnat';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved';
  if (
    (a === 192 && c === 0 && (d === 0 || d === 2)) ||
    (a === 198 && (c === 18 || c === 19)) ||
    (a === 198 && c === 51 && d === 100) ||
    (a === 203 && c === 0 && d === 113)
  ) {
    return 'reserved';
  }
  return 'public';
}

function classifyIpv6(b: readonly number[]): AddressClass {
  const isZero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  if (hex === 'fd000ec2000000000000000000000254') return 'metadata';
  // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d.
  if (isZero(0, 10) && b[10] === 0xff && b[11] === 0xff) return classifyIpv4(b.slice(12));
  if (isZero(0, 8) && b[8] === 0xff && b[9] === 0xff && isZero(10, 12)) return classifyIpv4(b.slice(12));
  if (isZero(0, 12)) {
    if (isZero(12, 15) && b[15] === 0) return 'unspecified';
    if (isZero(12, 15) && b[15] === 1) return 'loopback';
    return classifyIpv4(b.slice(12));
  }
  // NAT64 64:ff9b::/96 and 6to4 2002::/16 carry an IPv4 address.
  if (hex.startsWith('0064ff9b0000000000000000')) return classifyIpv4(b.slice(12));
  if (b[0] === 0x20 && b[1] === 0x02) return classifyIpv4(b.slice(2, 6));
  const first = b[0] ?? 0;
  const second = b[1] ?? 0;
  if ((first & 0xfe) === 0xfc) return 'private';
  if (first === 0xfe && (second & 0xc0) === 0x80) return 'link-local';
  if (first === 0xfe && (second & 0xc0) === 0xc0) return 'private';
  if (first === 0xff) return 'multicast';
  if (hex.startsWith('20010db8') || hex.startsWith('0100000000000000')) return 'reserved';
  return 'public';
}

/** The class of an IP literal (IPv4 or IPv6, brackets and zone id allowed); null when not an IP. */
export function classifyAddress(address: string): AddressClass | null {
  const v4 = parseIpv4(address);
  if (v4) return classifyIpv4(v4);
  const v6 = parseIpv6(address);
  return v6 ? classifyIpv6(v6) : null;
}

/** Throws DestinationRefusedError unless the address may be connected to. */
export function checkAddress(address: string, options: { allowPrivate?: boolean } = {}): void {
  const kind = classifyAddress(address);
  if (kind === null) throw new DestinationRefusedError(`${address} is not an IP address`);
  if (kind === 'public') return;
  if (options.allowPrivate && PRIVATE_CLASSES.has(kind)) return;
  throw new DestinationRefusedError(`${kind} address ${address}`);
}

export interface GuardOptions {
  readonly lookup?: LookupFunction;
  readonly allowPrivate?: boolean;
}

/**
 * The one address to connect to for `hostname` (a name or an IP literal): every resolved address
 * must pass (a name with one private answer among public ones is refused), the first is returned.
 */
export async function resolveDestination(
  hostname: string,
  options: GuardOptions = {},
): Promise<ResolvedAddress> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  if (family !== 0) {
    checkAddress(host, options);
    return { address: host, family };
  }
  let answers: readonly ResolvedAddress[];
  try {
    answers = await (options.lookup ?? defaultLookup)(host);
  } catch (error) {
    throw new DestinationLookupError(`cannot resolve ${host}`, { cause: error });
  }
  if (answers.length === 0) throw new DestinationLookupError(`no address for ${host}`);
  for (const answer of answers) {
    try {
      checkAddress(answer.address, options);
    } catch (error) {
      throw new DestinationRefusedError(
        `${host} resolves to ${(error as DestinationRefusedError).reason ?? answer.address}`,
        { cause: error },
      );
    }
  }
  const [first] = answers;
  if (!first) throw new DestinationLookupError(`no address for ${host}`);
  return first;
}

/**
 * The SSRF guard of every sink that connects to a URL or host (webhook, Slack, Teams, PagerDuty,
 * Opsgenie, SMTP email, mesh peers): a destination must be a public unicast address. Checked on the
 * literal host and on every address the name resolves to — so a public name that resolves to
 * 169.254.169.254 is refused — and the caller pins the connection to the checked address (no second
 * lookup, so no DNS rebinding between check and connect).
 *
 * Refused: loopback (127/8, ::1, `localhost`), private (10/8, 172.16/12, 192.168/16, fc00::/7),
 * link-local (169.254/16, fe80::/10), CGNAT (100.64/10), cloud metadata (169.254.169.254,
 * fd00:ec2::254, 100.100.100.200, 192.0.0.192 and names such as metadata.google.internal),
 * unspecified (0/8, ::), multicast, broadcast, documentation and reserved ranges — and every IPv6
 * form that embeds an IPv4 address (IPv4-mapped `::ffff:a.b.c.d` or `::ffff:7f00:1`,
 * IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), judged by the embedded address. A host
 * spelled the way inet_aton reads it (`2130706433`, `0177.0.0.1`, `0x7f.1`) is judged as the
 * address it stands for.
 *
 * `allowPrivate` (local testing, self-hosted receivers) lets loopback, private, CGNAT and link-local
 * through; metadata, unspecified, multicast and reserved addresses are refused even then.
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

/**
 * The destination is not allowed; `reason` says why (`resolves to metadata address 169.254.169.254`)
 * and `kind` is the class that was refused (`allowPrivate` would admit it when it is a private class).
 */
export class DestinationRefusedError extends Error {
  override name = 'DestinationRefusedError';
  constructor(
    readonly reason: string,
    readonly kind: AddressClass | null = null,
    options?: { cause?: unknown },
  ) {
    super(`destination refused: ${reason}`, options);
  }
}

/** True when `allowPrivate` would let this refusal through. */
export function isPrivateRefusal(error: DestinationRefusedError): boolean {
  return error.kind !== null && PRIVATE_CLASSES.has(error.kind);
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

const LEGACY_IPV4_PART = /^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i;

/**
 * A host written the way inet_aton reads it — 1 to 4 parts, each decimal, octal (leading 0) or hex
 * (0x), the last filling the remaining bytes: `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1` — as a
 * dotted quad; null when it is not such a spelling. getaddrinfo and WHATWG URLs read these as
 * addresses, so the guard must too.
 */
export function parseLegacyIpv4(host: string): string | null {
  const text = host.endsWith('.') ? host.slice(0, -1) : host;
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    if (!LEGACY_IPV4_PART.test(part)) return null;
    const lower = part.toLowerCase();
    const value = lower.startsWith('0x')
      ? Number.parseInt(lower.slice(2), 16)
      : lower.length > 1 && lower.startsWith('0')
        ? Number.parseInt(lower.slice(1), 8)
        : Number.parseInt(lower, 10);
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  const last = values.pop() ?? 0;
  if (values.some((value) => value > 255)) return null;
  if (last >= 2 ** (8 * (4 - values.length))) return null;
  const bytes = [...values];
  for (let index = 3 - values.length; index >= 0; index--)
    bytes.push(Math.floor(last / 2 ** (8 * index)) % 256);
  return bytes.join('.');
}

/** Host names that are the cloud metadata services (GCP's, AWS's legacy name), refused by name. */
const METADATA_HOSTNAMES: readonly string[] = [
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
];

/** The class of a host *name* that is special on its own (metadata services, `localhost`), or null. */
export function classifyHostName(hostname: string): AddressClass | null {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  if (METADATA_HOSTNAMES.some((metadata) => name === metadata || name.endsWith(`.${metadata}`))) {
    return 'metadata';
  }
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  return null;
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
  throw new DestinationRefusedError(`${kind} address ${address}`, kind);
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
  const family = isIP(host.replace(/%.*$/, ''));
  if (family !== 0) {
    checkAddress(host, options);
    return { address: host, family };
  }
  const legacy = parseLegacyIpv4(host);
  if (legacy !== null) {
    try {
      checkAddress(legacy, options);
    } catch (error) {
      const refused = error as DestinationRefusedError;
      throw new DestinationRefusedError(`${host} is ${refused.reason}`, refused.kind, { cause: error });
    }
    return { address: legacy, family: 4 };
  }
  const named = classifyHostName(host);
  if (named !== null && !(options.allowPrivate && PRIVATE_CLASSES.has(named))) {
    throw new DestinationRefusedError(`${host} is a ${named} host name`, named);
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
      const refused = error as DestinationRefusedError;
      throw new DestinationRefusedError(
        `${host} resolves to ${refused.reason ?? answer.address}`,
        refused.kind,
        {
          cause: error,
        },
      );
    }
  }
  const [first] = answers;
  if (!first) throw new DestinationLookupError(`no address for ${host}`);
  return first;
}

/**
 * The targets file: `{ "targets": [ … ], "disable": [ids], "catalog": { placeholders } }`. Parsed and
 * validated once; every problem names the entry (index and id) and the field, so `crosswatch probe`
 * can exit 2 with one line a user can act on. Unknown fields are refused: a typo must not silently
 * turn an expectation off.
 */
import { PLANES, type Plane, PROBE_KINDS, type ProbeKind } from '../event/vocabulary.ts';
import {
  type CatalogConfig,
  DNS_RECORD_TYPES,
  type DnsRecordType,
  type HttpExpect,
  type TargetSpec,
  type TargetsFile,
} from './target-types.ts';

/** A bad targets file: names the entry (index and id, when known) and the field. */
export class TargetsFileError extends Error {
  override readonly name = 'TargetsFileError';
  constructor(
    readonly entry: string,
    readonly field: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${entry}${field ? `: field "${field}"` : ''} ${problem}`, options);
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const COMMON_FIELDS = [
  'id',
  'name',
  'kind',
  'plane',
  'control',
  'disabled',
  'timeoutMs',
  'services',
  'regions',
  'ca',
];
const FIELDS_BY_KIND: Readonly<Record<ProbeKind, readonly string[]>> = {
  http: ['url', 'method', 'headers', 'maxBodyBytes', 'expect'],
  dns: ['name', 'type', 'resolvers', 'expect'],
  tcp: ['host', 'port', 'expect'],
  smtp: ['host', 'port', 'ehloName', 'servername', 'expect'],
  tls: ['host', 'port', 'servername', 'expect'],
  entra: ['url', 'expect'],
  feed: ['url', 'expect'],
};
const EXPECT_FIELDS_BY_KIND: Readonly<Record<ProbeKind, readonly string[]>> = {
  http: ['status', 'maxLatencyMs', 'keyword', 'regex', 'minCertDays'],
  dns: [],
  tcp: [],
  smtp: ['startTls'],
  tls: ['minCertDays'],
  entra: ['maxLatencyMs'],
  feed: ['maxLatencyMs'],
};
const DEFAULT_PORTS: Partial<Record<ProbeKind, number>> = { smtp: 25, tls: 443 };
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const RESOLVER = /^(system|\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|[0-9a-fA-F:]+|\[[0-9a-fA-F:]+\](:\d{1,5})?)$/;

class EntryReader {
  constructor(
    private readonly record: Json,
    readonly entry: string,
  ) {}

  fail(field: string, problem: string): never {
    throw new TargetsFileError(this.entry, field, problem);
  }

  string(field: string, options: { optional?: false }): string;
  string(field: string, options?: { optional: true }): string | undefined;
  string(field: string, options: { optional?: boolean } = {}): string | undefined {
    const value = this.record[field];
    if (value === undefined && options.optional) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      return this.fail(field, 'must be a non-empty string');
    return value;
  }

  integer(
    field: string,
    min: number,
    max: number,
    record: Json = this.record,
    path = field,
  ): number | undefined {
    const value = record[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.fail(path, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  boolean(field: string, record: Json = this.record, path = field): boolean | undefined {
    const value = record[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') return this.fail(path, 'must be true or false');
    return value;
  }

  strings(field: string): string[] | undefined {
    const value = this.record[field];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
      return this.fail(field, 'must be an array of non-empty strings');
    }
    return value as string[];
  }

  url(field: string, protocols: readonly string[]): string {
    const value = this.string(field, {});
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return this.fail(field, 'must be an absolute URL');
    }
    if (!protocols.includes(parsed.protocol)) {
      return this.fail(field, `must use ${protocols.map((p) => p.replace(':', '')).join(' or ')}`);
    }
    return value;
  }

  expect(kind: ProbeKind): Json {
    const value = this.record.expect;
    if (value === undefined) return {};
    if (!isObject(value)) return this.fail('expect', 'must be an object');
    const allowed = EXPECT_FIELDS_BY_KIND[kind];
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.fail(
          `expect.${key}`,
          allowed.length > 0
            ? `is not a ${kind} expectation (known: ${allowed.join(', ')})`
            : `is not a ${kind} expectation (${kind} targets take none)`,
        );
      }
    }
    return value;
  }
}

function readHttpExpect(reader: EntryReader, expect: Json): HttpExpect {
  let status: number[] | undefined;
  if (expect.status !== undefined) {
    const value = expect.status;
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      value.some((code) => typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 599)
    ) {
      return reader.fail('expect.status', 'must be a non-empty array of HTTP status codes (100-599)');
    }
    status = value as number[];
  }
  for (const field of ['keyword', 'regex'] as const) {
    const value = expect[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      reader.fail(`expect.${field}`, 'must be a non-empty string');
    }
  }
  if (typeof expect.regex === 'string') {
    try {
      new RegExp(expect.regex);
    } catch {
      reader.fail('expect.regex', 'is not a valid regular expression');
    }
  }
  return {
    status,
    maxLatencyMs: reader.integer('maxLatencyMs', 1, 600_000, expect, 'expect.maxLatencyMs'),
    keyword: expect.keyword as string | undefined,
    regex: expect.regex as string | undefined,
    minCertDays: reader.integer('minCertDays', 0, 3650, expect, 'expect.minCertDays'),
  };
}

function readHeaders(reader: EntryReader, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || Object.values(value).some((item) => typeof item !== 'string')) {
    return reader.fail('headers', 'must be an object of header names to string values');
  }
  return value as Record<string, string>;
}

/** The entry's kind, and no field that kind does not take. */
function readTargetKind(reader: EntryReader, value: Json): ProbeKind {
  const kindValue = value.kind;
  if (typeof kindValue !== 'string' || !(PROBE_KINDS as readonly string[]).includes(kindValue)) {
    return reader.fail('kind', `must be one of ${PROBE_KINDS.join(', ')}`);
  }
  const kind = kindValue as ProbeKind;
  for (const key of Object.keys(value)) {
    if (!COMMON_FIELDS.includes(key) && !FIELDS_BY_KIND[kind].includes(key)) {
      reader.fail(key, `is not a field of a ${kind} target`);
    }
  }
  return kind;
}

/** The fields every kind shares: name, plane (control-target for a control without one), limits, CA. */
function readTargetBase(reader: EntryReader, value: Json, id: string) {
  const planeValue = value.plane;
  const control = reader.boolean('control') ?? false;
  let plane: Plane;
  if (planeValue === undefined && control) plane = 'control-target';
  else if (typeof planeValue === 'string' && (PLANES as readonly string[]).includes(planeValue)) {
    plane = planeValue as Plane;
  } else return reader.fail('plane', `must be one of ${PLANES.join(', ')}`);
  const base = {
    id,
    name: reader.string('name', { optional: true }) ?? id,
    plane,
    control,
    disabled: reader.boolean('disabled') ?? false,
    timeoutMs: reader.integer('timeoutMs', 1, 600_000),
    services: reader.strings('services'),
    regions: reader.strings('regions'),
    ca: reader.string('ca', { optional: true }),
  };
  if (base.ca !== undefined && !base.ca.includes('-----BEGIN CERTIFICATE-----')) {
    reader.fail('ca', 'must be PEM text (-----BEGIN CERTIFICATE----- …)');
  }
  return base;
}

type TargetBaseFields = ReturnType<typeof readTargetBase>;

function readDnsTarget(reader: EntryReader, value: Json, base: TargetBaseFields): TargetSpec {
  const type = value.type ?? 'A';
  if (typeof type !== 'string' || !(DNS_RECORD_TYPES as readonly string[]).includes(type)) {
    return reader.fail('type', `must be one of ${DNS_RECORD_TYPES.join(', ')}`);
  }
  const resolvers = reader.strings('resolvers') ?? ['system'];
  if (resolvers.length === 0) reader.fail('resolvers', 'must list at least one resolver');
  const bad = resolvers.find((resolver) => !RESOLVER.test(resolver));
  if (bad !== undefined) {
    reader.fail('resolvers', `entry "${bad}" is neither "system" nor an IP address with optional port`);
  }
  return { ...base, kind: 'dns', name: reader.string('name', {}), type: type as DnsRecordType, resolvers };
}

/** A tcp, smtp or tls target: a host and a port (the kind's default port when it has one). */
function readSocketTarget(
  reader: EntryReader,
  kind: 'tcp' | 'smtp' | 'tls',
  base: TargetBaseFields,
  expect: Json,
): TargetSpec {
  const host = reader.string('host', {});
  const port = reader.integer('port', 1, 65_535) ?? DEFAULT_PORTS[kind];
  if (port === undefined) return reader.fail('port', 'is required (1-65535)');
  if (kind === 'tcp') return { ...base, kind, host, port };
  if (kind === 'smtp') {
    return {
      ...base,
      kind,
      host,
      port,
      ehloName: reader.string('ehloName', { optional: true }),
      servername: reader.string('servername', { optional: true }),
      requireStartTls: reader.boolean('startTls', expect, 'expect.startTls') ?? true,
    };
  }
  return {
    ...base,
    kind,
    host,
    port,
    servername: reader.string('servername', { optional: true }),
    minCertDays: reader.integer('minCertDays', 0, 3650, expect, 'expect.minCertDays'),
  };
}

/** Validates one target entry; `entry` names it in errors (e.g. `targets[3] (id "edge-portal")`). */
export function parseTarget(value: unknown, entry: string): TargetSpec {
  if (!isObject(value)) throw new TargetsFileError(entry, '', 'must be an object');
  const idValue = value.id;
  const named = typeof idValue === 'string' && idValue !== '' ? `${entry} (id "${idValue}")` : entry;
  const reader = new EntryReader(value, named);
  const id = reader.string('id', {});
  if (!ID.test(id)) reader.fail('id', 'must be 1-128 letters, digits, ".", "_", ":" or "-"');
  const kind = readTargetKind(reader, value);
  const base = readTargetBase(reader, value, id);
  const expect = reader.expect(kind);
  switch (kind) {
    case 'http': {
      const method = value.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') return reader.fail('method', 'must be GET or HEAD');
      return {
        ...base,
        kind,
        url: reader.url('url', ['http:', 'https:']),
        method,
        headers: readHeaders(reader, value.headers),
        maxBodyBytes: reader.integer('maxBodyBytes', 0, 16 * 1024 * 1024),
        expect: readHttpExpect(reader, expect),
      };
    }
    case 'entra':
    case 'feed':
      return {
        ...base,
        kind,
        url: reader.url('url', ['http:', 'https:']),
        maxLatencyMs: reader.integer('maxLatencyMs', 1, 600_000, expect, 'expect.maxLatencyMs'),
      };
    case 'dns':
      return readDnsTarget(reader, value, base);
    case 'tcp':
    case 'smtp':
    case 'tls':
      return readSocketTarget(reader, kind, base, expect);
  }
}

function readCatalogConfig(value: unknown): CatalogConfig {
  if (value === undefined) return {};
  if (!isObject(value)) throw new TargetsFileError('catalog', '', 'must be an object');
  const config: { -readonly [K in keyof CatalogConfig]: CatalogConfig[K] } = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'regions') {
      if (!Array.isArray(item) || item.some((region) => typeof region !== 'string' || region === '')) {
        throw new TargetsFileError('catalog', 'regions', 'must be an array of region names');
      }
      config.regions = item as string[];
    } else if (key === 'tenantId' || key === 'tenantDomain' || key === 'storageAccount') {
      if (typeof item !== 'string' || item.trim() === '') {
        throw new TargetsFileError('catalog', key, 'must be a non-empty string');
      }
      config[key] = item.trim();
    } else {
      throw new TargetsFileError(
        'catalog',
        key,
        'is not a catalog setting (tenantId, tenantDomain, storageAccount, regions)',
      );
    }
  }
  return config;
}

/** Parses and validates a whole targets file; throws TargetsFileError naming the entry and field. */
export function parseTargetsFile(text: string | Uint8Array): TargetsFile {
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(source.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new TargetsFileError('targets file', '', `is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (!isObject(document))
    throw new TargetsFileError('targets file', '', 'must be a JSON object with "targets"');
  for (const key of Object.keys(document)) {
    if (key !== 'targets' && key !== 'disable' && key !== 'catalog' && key !== '$schema') {
      throw new TargetsFileError('targets file', key, 'is not a top-level field (targets, disable, catalog)');
    }
  }
  const list = document.targets ?? [];
  if (!Array.isArray(list)) throw new TargetsFileError('targets file', 'targets', 'must be an array');
  const seen = new Set<string>();
  const targets = list.map((item, index) => {
    const target = parseTarget(item, `targets[${index}]`);
    if (seen.has(target.id)) {
      throw new TargetsFileError(
        `targets[${index}] (id "${target.id}")`,
        'id',
        'repeats an earlier target id',
      );
    }
    seen.add(target.id);
    return target;
  });
  const disable = document.disable ?? [];
  if (!Array.isArray(disable) || disable.some((id) => typeof id !== 'string')) {
    throw new TargetsFileError('targets file', 'disable', 'must be an array of target ids');
  }
  return { targets, disable: disable as string[], catalog: readCatalogConfig(document.catalog) };
}

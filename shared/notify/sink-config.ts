/**
 * Sink configuration: one object per sink, discriminated by `kind`, validated once at start by
 * `validateSinkConfig`, which throws InvalidSinkConfigError with a one-line message naming the field
 * (`sinks[2].url: must be an https URL`). Messages never echo a value: URLs, keys and passwords are
 * secrets. Unknown settings are refused so a typo does not silently disable an option.
 */
import { listUrlSecrets } from '../observability/redact.ts';
import { SINK_KINDS, type SinkKind } from './sink.ts';

export interface SlackSinkConfig {
  readonly kind: 'slack';
  readonly name: string;
  /** The incoming webhook URL (a secret). */
  readonly url: string;
  /** Allow http:// (local testing only). */
  readonly allowInsecure?: boolean;
  /** Allow loopback, private, CGNAT and link-local destinations (never metadata addresses). */
  readonly allowPrivate?: boolean;
}

export interface TeamsSinkConfig {
  readonly kind: 'teams';
  readonly name: string;
  /** The Workflows webhook URL (a secret: it carries a `sig=`). */
  readonly url: string;
  readonly allowInsecure?: boolean;
  /** Allow loopback, private, CGNAT and link-local destinations (never metadata addresses). */
  readonly allowPrivate?: boolean;
}

export interface PagerDutySinkConfig {
  readonly kind: 'pagerduty';
  readonly name: string;
  /** The integration (routing) key of an Events API v2 integration. */
  readonly routingKey: string;
  /** Defaults to https://events.pagerduty.com/v2/enqueue. */
  readonly url?: string;
  readonly allowInsecure?: boolean;
  /** Allow loopback, private, CGNAT and link-local destinations (never metadata addresses). */
  readonly allowPrivate?: boolean;
}

export interface OpsgenieSinkConfig {
  readonly kind: 'opsgenie';
  readonly name: string;
  readonly apiKey: string;
  /** `us` → https://api.opsgenie.com, `eu` → https://api.eu.opsgenie.com. */
  readonly region: 'us' | 'eu';
  /** Overrides the API base URL (tests, proxies). */
  readonly url?: string;
  readonly allowInsecure?: boolean;
  /** Allow loopback, private, CGNAT and link-local destinations (never metadata addresses). */
  readonly allowPrivate?: boolean;
}

export interface WebhookSinkConfig {
  readonly kind: 'webhook';
  readonly name: string;
  readonly url: string;
  /** Standard Webhooks signing secret: `whsec_` + base64 of 24–64 random bytes. */
  readonly secret: string;
  /** Allow http:// (local testing only). */
  readonly allowInsecure?: boolean;
  /** Allow loopback, private, CGNAT and link-local destinations (never metadata addresses). */
  readonly allowPrivate?: boolean;
}

export interface EmailSinkConfig {
  readonly kind: 'email';
  readonly name: string;
  readonly smtp: {
    readonly host: string;
    readonly port: number;
    /** TLS from the first byte (465); otherwise STARTTLS when offered. */
    readonly secure?: boolean;
    readonly user?: string;
    readonly pass?: string;
  };
  readonly from: string;
  readonly to: readonly string[];
  /** Allow an SMTP host on a loopback, private, CGNAT or link-local address (never metadata). */
  readonly allowPrivate?: boolean;
}

export interface SesSinkConfig {
  readonly kind: 'ses';
  readonly name: string;
  readonly region: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly endpoint?: string;
}

export interface SnsSinkConfig {
  readonly kind: 'sns';
  readonly name: string;
  readonly region: string;
  /** Publish to a topic (its subscribers get the email/SMS form they subscribed with)… */
  readonly topicArn?: string;
  /** …or send SMS straight to these E.164 numbers. */
  readonly phoneNumbers?: readonly string[];
  readonly endpoint?: string;
}

export interface FileSinkConfig {
  readonly kind: 'file';
  readonly name: string;
  /** JSON lines are appended to this file (created with its directory). */
  readonly path: string;
}

export interface ConsoleSinkConfig {
  readonly kind: 'console';
  readonly name: string;
  /** `json` (default): one JSON object per line; `text`: readable lines. */
  readonly format?: 'json' | 'text';
}

export type SinkConfig =
  | SlackSinkConfig
  | TeamsSinkConfig
  | PagerDutySinkConfig
  | OpsgenieSinkConfig
  | WebhookSinkConfig
  | EmailSinkConfig
  | SesSinkConfig
  | SnsSinkConfig
  | FileSinkConfig
  | ConsoleSinkConfig;

/** A sink setting is invalid; the message starts with the field's path and never shows its value. */
export class InvalidSinkConfigError extends Error {
  override name = 'InvalidSinkConfigError';
  constructor(
    readonly path: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${problem}`, options);
  }
}

const KIND_FIELDS: Readonly<Record<SinkKind, readonly string[]>> = {
  slack: ['url', 'allowInsecure', 'allowPrivate'],
  teams: ['url', 'allowInsecure', 'allowPrivate'],
  pagerduty: ['routingKey', 'url', 'allowInsecure', 'allowPrivate'],
  opsgenie: ['apiKey', 'region', 'url', 'allowInsecure', 'allowPrivate'],
  webhook: ['url', 'secret', 'allowInsecure', 'allowPrivate'],
  email: ['smtp', 'from', 'to', 'allowPrivate'],
  ses: ['region', 'from', 'to', 'endpoint'],
  sns: ['region', 'topicArn', 'phoneNumbers', 'endpoint'],
  file: ['path'],
  console: ['format'],
};

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EMAIL_PATTERN = /^[^\s@<>",;:]+@[^\s@<>",;:]+\.[^\s@<>",;:]+$/;
const NAMED_EMAIL_PATTERN = /^[^<>\r\n"]*<([^\s@<>",;:]+@[^\s@<>",;:]+\.[^\s@<>",;:]+)>$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
const SECRET_PATTERN = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new InvalidSinkConfigError(path, problem);
}

function readString(fields: Fields, key: string, path: string, required: true): string;
function readString(fields: Fields, key: string, path: string, required: false): string | undefined;
function readString(fields: Fields, key: string, path: string, required: boolean): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) {
    if (required) fail(`${path}.${key}`, 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') fail(`${path}.${key}`, 'must be a non-empty string');
  if (/[\r\n]/.test(value)) fail(`${path}.${key}`, 'must be a single line');
  return value;
}

function readBoolean(fields: Fields, key: string, path: string): boolean | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail(`${path}.${key}`, 'must be true or false');
  return value;
}

function readUrl(
  fields: Fields,
  key: string,
  path: string,
  required: boolean,
  allowInsecure: boolean,
): string | undefined {
  const value = required ? readString(fields, key, path, true) : readString(fields, key, path, false);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${path}.${key}`, allowInsecure ? 'must be an http(s) URL' : 'must be an https URL');
  }
  if (url.protocol === 'https:' || (allowInsecure && url.protocol === 'http:')) return value;
  return fail(`${path}.${key}`, allowInsecure ? 'must be an http(s) URL' : 'must be an https URL');
}

function readEmail(fields: Fields, key: string, path: string, allowName: boolean): string {
  const value = readString(fields, key, path, true);
  if (EMAIL_PATTERN.test(value) || (allowName && NAMED_EMAIL_PATTERN.test(value))) return value;
  return fail(`${path}.${key}`, 'must be an email address');
}

function readEmailList(fields: Fields, key: string, path: string, max: number): string[] {
  const value = fields[key];
  if (value === undefined) fail(`${path}.${key}`, 'is required');
  if (!Array.isArray(value) || value.length === 0)
    fail(`${path}.${key}`, 'must be a non-empty list of email addresses');
  if (value.length > max) fail(`${path}.${key}`, `must list at most ${max} addresses`);
  return value.map((entry, index) => {
    if (typeof entry !== 'string' || !EMAIL_PATTERN.test(entry))
      fail(`${path}.${key}[${index}]`, 'must be an email address');
    return entry;
  });
}

function readRegion(fields: Fields, path: string): string {
  const region = readString(fields, 'region', path, true);
  if (!REGION_PATTERN.test(region)) fail(`${path}.region`, 'must be an AWS region such as eu-west-1');
  return region;
}

function checkKnownFields(fields: Fields, kind: SinkKind, path: string): void {
  const known = new Set(['name', 'kind', ...KIND_FIELDS[kind]]);
  for (const key of Object.keys(fields)) {
    if (!known.has(key)) fail(`${path}.${key}`, `unknown setting for a ${kind} sink`);
  }
}

function validateSmtp(value: unknown, path: string): EmailSinkConfig['smtp'] {
  if (!isObject(value)) return fail(path, 'must be an object with host and port');
  for (const key of Object.keys(value)) {
    if (!['host', 'port', 'secure', 'user', 'pass'].includes(key)) fail(`${path}.${key}`, 'unknown setting');
  }
  const host = readString(value, 'host', path, true);
  const port = value.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    fail(`${path}.port`, 'must be a port number (1-65535)');
  }
  const secure = readBoolean(value, 'secure', path);
  const user = readString(value, 'user', path, false);
  const pass = readString(value, 'pass', path, false);
  if (pass !== undefined && user === undefined) fail(`${path}.user`, 'is required when pass is set');
  return {
    host,
    port,
    ...(secure === undefined ? {} : { secure }),
    ...(user === undefined ? {} : { user }),
    ...(pass === undefined ? {} : { pass }),
  };
}

/** A Standard Webhooks sink: its URL and its `whsec_` signing secret of 24-64 random bytes. */
function validateWebhookSink(
  value: Fields,
  path: string,
  name: string,
  allowInsecure: boolean | undefined,
): WebhookSinkConfig {
  const url = readUrl(value, 'url', path, true, allowInsecure === true) as string;
  const secret = readString(value, 'secret', path, true);
  const match = SECRET_PATTERN.exec(secret);
  const bytes = match?.[1] ? Buffer.from(match[1], 'base64').length : 0;
  if (!match || bytes < 24 || bytes > 64) {
    fail(`${path}.secret`, 'must be "whsec_" followed by base64 of 24-64 random bytes');
  }
  const allowPrivate = readBoolean(value, 'allowPrivate', path);
  return {
    kind: 'webhook',
    name,
    url,
    secret,
    ...(allowInsecure === undefined ? {} : { allowInsecure }),
    ...(allowPrivate === undefined ? {} : { allowPrivate }),
  };
}

function readPhoneNumbers(phones: unknown, path: string): string[] {
  if (!Array.isArray(phones) || phones.length === 0 || phones.length > 20) {
    fail(`${path}.phoneNumbers`, 'must be a list of 1-20 phone numbers');
  }
  return phones.map((phone, index) => {
    if (typeof phone !== 'string' || !E164_PATTERN.test(phone)) {
      fail(`${path}.phoneNumbers[${index}]`, 'must be an E.164 phone number such as +15551234567');
    }
    return phone;
  });
}

/** An SNS sink: a region and exactly one of a topic ARN or a list of phone numbers (SMS). */
function validateSnsSink(value: Fields, path: string, name: string): SnsSinkConfig {
  const region = readRegion(value, path);
  const topicArn = readString(value, 'topicArn', path, false);
  const phones = value.phoneNumbers;
  if ((topicArn === undefined) === (phones === undefined)) {
    fail(path, 'set exactly one of topicArn or phoneNumbers');
  }
  if (topicArn !== undefined && !TOPIC_ARN_PATTERN.test(topicArn))
    fail(`${path}.topicArn`, 'must be an SNS topic ARN');
  const phoneNumbers = phones === undefined ? undefined : readPhoneNumbers(phones, path);
  const endpoint = readUrl(value, 'endpoint', path, false, true);
  return {
    kind: 'sns',
    name,
    region,
    ...(topicArn === undefined ? {} : { topicArn }),
    ...(phoneNumbers === undefined ? {} : { phoneNumbers }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}

/** Validates one sink entry; `path` is how the error names it (`notify.sinks[2]`). */
export function validateSinkConfig(value: unknown, path: string): SinkConfig {
  if (!isObject(value)) return fail(path, 'must be an object with name and kind');
  const kind = value.kind;
  if (typeof kind !== 'string' || !(SINK_KINDS as readonly string[]).includes(kind)) {
    return fail(`${path}.kind`, `must be one of ${SINK_KINDS.join(', ')}`);
  }
  const sinkKind = kind as SinkKind;
  const name = readString(value, 'name', path, true);
  if (!NAME_PATTERN.test(name)) fail(`${path}.name`, 'must be 1-64 letters, digits, ".", "_" or "-"');
  checkKnownFields(value, sinkKind, path);
  const allowInsecure = readBoolean(value, 'allowInsecure', path);
  const insecure = allowInsecure === true;
  const allowPrivate = readBoolean(value, 'allowPrivate', path);
  const privateFlag = allowPrivate === undefined ? {} : { allowPrivate };
  const flag = { ...(allowInsecure === undefined ? {} : { allowInsecure }), ...privateFlag };
  switch (sinkKind) {
    case 'slack':
    case 'teams': {
      const url = readUrl(value, 'url', path, true, insecure) as string;
      return sinkKind === 'slack'
        ? { kind: 'slack', name, url, ...flag }
        : { kind: 'teams', name, url, ...flag };
    }
    case 'pagerduty': {
      const routingKey = readString(value, 'routingKey', path, true);
      if (/\s/.test(routingKey)) fail(`${path}.routingKey`, 'must not contain whitespace');
      const url = readUrl(value, 'url', path, false, insecure);
      return { kind: 'pagerduty', name, routingKey, ...(url === undefined ? {} : { url }), ...flag };
    }
    case 'opsgenie': {
      const apiKey = readString(value, 'apiKey', path, true);
      if (/\s/.test(apiKey)) fail(`${path}.apiKey`, 'must not contain whitespace');
      const region = value.region ?? 'us';
      if (region !== 'us' && region !== 'eu') fail(`${path}.region`, 'must be "us" or "eu"');
      const url = readUrl(value, 'url', path, false, insecure);
      return { kind: 'opsgenie', name, apiKey, region, ...(url === undefined ? {} : { url }), ...flag };
    }
    case 'webhook':
      return validateWebhookSink(value, path, name, allowInsecure);
    case 'email':
      return {
        kind: 'email',
        name,
        smtp: validateSmtp(value.smtp, `${path}.smtp`),
        from: readEmail(value, 'from', path, true),
        to: readEmailList(value, 'to', path, 100),
        ...privateFlag,
      };
    case 'ses': {
      const endpoint = readUrl(value, 'endpoint', path, false, true);
      return {
        kind: 'ses',
        name,
        region: readRegion(value, path),
        from: readEmail(value, 'from', path, true),
        to: readEmailList(value, 'to', path, 50),
        ...(endpoint === undefined ? {} : { endpoint }),
      };
    }
    case 'sns':
      return validateSnsSink(value, path, name);
    case 'file':
      return { kind: 'file', name, path: readString(value, 'path', path, true) };
    case 'console': {
      const format = value.format;
      if (format !== undefined && format !== 'json' && format !== 'text')
        fail(`${path}.format`, 'must be "json" or "text"');
      return { kind: 'console', name, ...(format === undefined ? {} : { format }) };
    }
  }
}

/** Every secret a sink config holds (for redaction): URLs and their parts, keys, passwords. */
export function listConfigSecrets(config: SinkConfig): string[] {
  switch (config.kind) {
    case 'slack':
    case 'teams':
      return listUrlSecrets(config.url);
    case 'pagerduty':
      return [config.routingKey];
    case 'opsgenie':
      return [config.apiKey];
    case 'webhook':
      return [...listUrlSecrets(config.url), config.secret, config.secret.replace(/^whsec_/, '')];
    case 'email':
      return [config.smtp.pass, config.smtp.user].filter((v): v is string => v !== undefined);
    case 'sns':
      return [...(config.phoneNumbers ?? [])];
    default:
      return [];
  }
}

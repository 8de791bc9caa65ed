/**
 * The `notify` section of the configuration: sinks, routing rules, the default route and the outbox
 * worker's retry settings. `validateNotifyConfig` is pure: it takes the parsed JSON section and
 * returns the typed config with defaults filled in, or throws an error whose message starts with the
 * offending field's path (`notify.routes[1].sinks[0]: unknown sink "pager"`). Sink entries are
 * checked by their own module (`validateSinkConfig`, which throws InvalidSinkConfigError).
 *
 * With no sinks configured, crosswatch notifies a console sink (JSON lines on stdout) through the
 * default route, so a first run shows what it would send.
 */

import { DEFAULT_OUTBOX_SETTINGS, type OutboxSettings } from './outbox-settings.ts';
import { type DefaultRoute, ROUTE_SEVERITIES, type RouteMatch, type RouteRule } from './routing.ts';
import { type SinkConfig, validateSinkConfig } from './sink-config.ts';

export { DEFAULT_OUTBOX_SETTINGS, type OutboxSettings } from './outbox-settings.ts';

export interface NotifyConfig {
  readonly sinks: readonly SinkConfig[];
  readonly routes: readonly RouteRule[];
  readonly defaultRoute: DefaultRoute;
  readonly outbox: OutboxSettings;
  /** Route each subscription of a multi-subscription incident on its own (routing.ts). */
  readonly splitBySubscription: boolean;
}

/** The console sink used when no sink is configured. */
export const DEFAULT_CONSOLE_SINK = { kind: 'console', name: 'console' } as const;

/** A notify setting is invalid; `path` names it (`notify.routes[1].sinks[0]`). */
export class NotifyConfigError extends Error {
  override name = 'NotifyConfigError';
  constructor(
    readonly path: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${problem}`, options);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKnownFields(value: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new NotifyConfigError(`${path}.${key}`, `unknown field (known: ${known.join(', ')})`);
    }
  }
}

function readStringList(value: unknown, path: string, options: { nonEmpty?: boolean } = {}): string[] {
  if (!Array.isArray(value)) throw new NotifyConfigError(path, 'must be a list of strings');
  if (options.nonEmpty && value.length === 0) throw new NotifyConfigError(path, 'must not be empty');
  return value.map((item, index) => {
    if (typeof item !== 'string' || item.trim() === '') {
      throw new NotifyConfigError(`${path}[${index}]`, 'must be a non-empty string');
    }
    return item;
  });
}

function readSinkNames(
  value: unknown,
  path: string,
  known: ReadonlySet<string>,
  nonEmpty: boolean,
): string[] {
  const names = readStringList(value, path, { nonEmpty });
  names.forEach((name, index) => {
    if (!known.has(name)) {
      throw new NotifyConfigError(
        `${path}[${index}]`,
        `unknown sink "${name}" (configured: ${[...known].join(', ') || 'none'})`,
      );
    }
  });
  return names;
}

function readDuration(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value < min) {
    throw new NotifyConfigError(path, `must be an integer number of milliseconds ≥ ${min}`);
  }
  return value;
}

const MATCH_LISTS = [
  'providers',
  'categories',
  'statuses',
  'severities',
  'verdicts',
  'planes',
  'services',
  'regions',
  'subscriptions',
  'decisionKinds',
] as const;
/** An Azure subscription id (GUID) or an AWS account id. */
const SUBSCRIPTION_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{12})$/i;
const MATCH_FIELDS = [...MATCH_LISTS, 'minSeverity', 'minAgeMs', 'maxAgeMs', 'acknowledged'] as const;

function readMatch(value: unknown, path: string): RouteMatch {
  if (value === undefined) return {};
  if (!isObject(value)) throw new NotifyConfigError(path, 'must be an object');
  checkKnownFields(value, MATCH_FIELDS, path);
  const match: Record<string, unknown> = {};
  for (const field of MATCH_LISTS) {
    if (value[field] !== undefined) match[field] = readStringList(value[field], `${path}.${field}`);
  }
  (match.subscriptions as string[] | undefined)?.forEach((id, index) => {
    if (!SUBSCRIPTION_ID.test(id)) {
      throw new NotifyConfigError(
        `${path}.subscriptions[${index}]`,
        'must be an Azure subscription id (a GUID) or an AWS account id (12 digits)',
      );
    }
  });
  if (value.minSeverity !== undefined) {
    if (!(ROUTE_SEVERITIES as readonly unknown[]).includes(value.minSeverity)) {
      throw new NotifyConfigError(`${path}.minSeverity`, `must be one of ${ROUTE_SEVERITIES.join(', ')}`);
    }
    match.minSeverity = value.minSeverity;
  }
  if (value.minAgeMs !== undefined) match.minAgeMs = readDuration(value.minAgeMs, `${path}.minAgeMs`, 0);
  if (value.maxAgeMs !== undefined) match.maxAgeMs = readDuration(value.maxAgeMs, `${path}.maxAgeMs`, 0);
  if (value.acknowledged !== undefined) {
    if (typeof value.acknowledged !== 'boolean') {
      throw new NotifyConfigError(`${path}.acknowledged`, 'must be true or false');
    }
    match.acknowledged = value.acknowledged;
  }
  return match as RouteMatch;
}

function readRule(value: unknown, path: string, sinkNames: ReadonlySet<string>): RouteRule {
  if (!isObject(value)) throw new NotifyConfigError(path, 'must be an object');
  checkKnownFields(value, ['name', 'match', 'sinks', 'continue', 'fallback'], path);
  if (value.name !== undefined && (typeof value.name !== 'string' || value.name.trim() === '')) {
    throw new NotifyConfigError(`${path}.name`, 'must be a non-empty string');
  }
  if (value.continue !== undefined && typeof value.continue !== 'boolean') {
    throw new NotifyConfigError(`${path}.continue`, 'must be true or false');
  }
  if (value.sinks === undefined) throw new NotifyConfigError(`${path}.sinks`, 'is required');
  return {
    ...(typeof value.name === 'string' ? { name: value.name } : {}),
    match: readMatch(value.match, `${path}.match`),
    sinks: readSinkNames(value.sinks, `${path}.sinks`, sinkNames, true),
    continue: value.continue === true,
    fallback:
      value.fallback === undefined ? [] : readSinkNames(value.fallback, `${path}.fallback`, sinkNames, false),
  };
}

/** A lease renewed every third of it needs room for a store write between renewals. */
const MIN_LEASE_MS = 1000;

function readOutbox(value: unknown, path: string): OutboxSettings {
  if (value === undefined) return DEFAULT_OUTBOX_SETTINGS;
  if (!isObject(value)) throw new NotifyConfigError(path, 'must be an object');
  const fields = Object.keys(DEFAULT_OUTBOX_SETTINGS) as (keyof OutboxSettings)[];
  checkKnownFields(value, fields, path);
  const settings = { ...DEFAULT_OUTBOX_SETTINGS };
  for (const field of fields) {
    if (value[field] === undefined) continue;
    const min = field === 'attemptTimeoutMs' || field === 'leaseMs' ? 1 : 0;
    if (field === 'maxAttempts') {
      const attempts = value[field];
      if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1 || attempts > 1000) {
        throw new NotifyConfigError(`${path}.maxAttempts`, 'must be an integer from 1 to 1000');
      }
      settings.maxAttempts = attempts;
      continue;
    }
    settings[field] = readDuration(value[field], `${path}.${field}`, min);
  }
  if (settings.maxDelayMs < settings.baseDelayMs) {
    throw new NotifyConfigError(`${path}.maxDelayMs`, 'must not be less than baseDelayMs');
  }
  if (settings.leaseMs < MIN_LEASE_MS) {
    throw new NotifyConfigError(
      `${path}.leaseMs`,
      `must be at least ${MIN_LEASE_MS} ms (a claim is renewed every third of it while the attempt lasts)`,
    );
  }
  return settings;
}

/** Validates the `notify` section; throws NotifyConfigError (or InvalidSinkConfigError for a sink entry). */
export function validateNotifyConfig(value: unknown, path = 'notify'): NotifyConfig {
  if (value === undefined || value === null) value = {};
  if (!isObject(value)) throw new NotifyConfigError(path, 'must be an object');
  checkKnownFields(value, ['sinks', 'routes', 'defaultRoute', 'outbox', 'splitBySubscription'], path);
  if (value.splitBySubscription !== undefined && typeof value.splitBySubscription !== 'boolean') {
    throw new NotifyConfigError(`${path}.splitBySubscription`, 'must be true or false');
  }

  let sinks: SinkConfig[];
  if (value.sinks === undefined || (Array.isArray(value.sinks) && value.sinks.length === 0)) {
    sinks = [validateSinkConfig(DEFAULT_CONSOLE_SINK, `${path}.sinks[0]`)];
  } else if (!Array.isArray(value.sinks)) {
    throw new NotifyConfigError(`${path}.sinks`, 'must be a list of sink objects');
  } else {
    sinks = value.sinks.map((entry, index) => validateSinkConfig(entry, `${path}.sinks[${index}]`));
  }
  const names = new Set<string>();
  sinks.forEach((sink, index) => {
    if (names.has(sink.name)) {
      throw new NotifyConfigError(`${path}.sinks[${index}].name`, `duplicate sink name "${sink.name}"`);
    }
    names.add(sink.name);
  });

  if (value.routes !== undefined && !Array.isArray(value.routes)) {
    throw new NotifyConfigError(`${path}.routes`, 'must be a list of rules');
  }
  const routes = (value.routes ?? []).map((rule: unknown, index: number) =>
    readRule(rule, `${path}.routes[${index}]`, names),
  );

  let defaultRoute: DefaultRoute;
  const rawDefault = value.defaultRoute;
  if (rawDefault === undefined) {
    // Nothing unmatched is dropped silently: by default it goes to every configured sink.
    defaultRoute = { sinks: [...names], fallback: [] };
  } else {
    const defaultPath = `${path}.defaultRoute`;
    if (!isObject(rawDefault)) throw new NotifyConfigError(defaultPath, 'must be an object');
    checkKnownFields(rawDefault, ['sinks', 'fallback'], defaultPath);
    defaultRoute = {
      sinks: readSinkNames(rawDefault.sinks ?? [], `${defaultPath}.sinks`, names, false),
      fallback:
        rawDefault.fallback === undefined
          ? []
          : readSinkNames(rawDefault.fallback, `${defaultPath}.fallback`, names, false),
    };
  }
  return {
    sinks,
    routes,
    defaultRoute,
    outbox: readOutbox(value.outbox, `${path}.outbox`),
    splitBySubscription: value.splitBySubscription === true,
  };
}

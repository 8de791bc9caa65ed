/**
 * The whole application's configuration, typed and validated once at start. `validateConfig` takes
 * the parsed document (file, CROSSWATCH_CONFIG, or the merge of those with CROSSWATCH_* settings),
 * checks it against the generated JSON Schema (unknown keys and bad values fail with one line naming
 * the setting: `crosswatch.config.json: probes.timeoutMs: must be an integer between 100 and 60000`),
 * then lets the engine and notify sections validate themselves, and resolves defaults and paths.
 */
import { isAbsolute, resolve } from 'node:path';
import schemaDocument from '../../schema/crosswatch-config.schema.json' with { type: 'json' };
import {
  DEFAULT_ENGINE_CONFIG,
  type EngineConfig,
  EngineConfigError,
  type EngineConfigOverrides,
  resolveEngineConfig,
} from '../engine/engine-config.ts';
import type { Vantage } from '../event/schema.ts';
import { type NotifyConfig, validateNotifyConfig } from '../notify/notify-config.ts';
import type { CatalogConfig } from '../probe/target-types.ts';
import type { StateStoreConfig } from '../store/create-state-store.ts';
import type { WebhookConfig } from '../webhook/webhook-config.ts';
import type { ConfigFile } from './config-schema.ts';
import { parseSchedule, type Schedule, ScheduleError } from './schedule.ts';
import { applySchema, type JsonSchemaNode, SchemaViolation } from './walk-json-schema.ts';

export const DEFAULT_CONFIG_FILE = 'crosswatch.config.json';

/** A bad setting: `source` is the file or variable, `setting` the dotted path. One line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly setting: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${setting ? `${setting}: ` : ''}${problem}`, options);
  }
}

export type EvidenceConfig =
  | { readonly kind: 'directory'; readonly path: string; readonly retentionDays: number }
  | {
      readonly kind: 'azure-blob';
      readonly connectionString: string;
      readonly container: string;
      readonly retentionDays: number;
    }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly retentionDays: number }
  | { readonly kind: 'none'; readonly retentionDays: number };

export interface ProbesConfig {
  readonly enabled: boolean;
  readonly catalog: 'default' | 'none';
  /** Absolute path, when configured. */
  readonly targetsFile: string | null;
  readonly schedule: Schedule;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly controls: boolean;
  /** Catalog placeholders. */
  readonly tenant: CatalogConfig;
}

export interface PollerCredentials {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string | null;
}

export interface WatchdogConfig {
  readonly schedule: Schedule;
  /** Peer deployments whose heartbeat this one watches through their status URL. */
  readonly peers: readonly { readonly id: string; readonly statusUrl: string }[];
}

export interface PollersConfig {
  readonly schedule: Schedule;
  readonly azureResourceHealth: {
    readonly enabled: boolean;
    readonly subscriptionIds: readonly string[];
    readonly credentials: PollerCredentials | null;
  } | null;
  readonly m365: { readonly enabled: boolean; readonly credentials: PollerCredentials } | null;
  readonly azureStatusFeed: { readonly enabled: boolean } | null;
}

export interface LogConfig {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly format: 'auto' | 'json' | 'readable';
}

export interface CrosswatchConfig {
  /** Where the configuration came from (for the banner and error messages). */
  readonly source: string;
  /** Absolute data directory. */
  readonly dataDir: string;
  readonly vantage: Vantage;
  readonly server: { readonly host: string; readonly port: number };
  readonly store: StateStoreConfig;
  readonly evidence: EvidenceConfig;
  readonly probes: ProbesConfig;
  readonly engine: EngineConfig;
  readonly notify: NotifyConfig;
  readonly webhook: WebhookConfig;
  readonly pollers: PollersConfig;
  readonly watchdog: WatchdogConfig;
  readonly log: LogConfig;
  /** Every secret value in the configuration, for log redaction. */
  readonly secrets: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Free-form maps in the engine section: their keys are data, not setting names. */
const ENGINE_OPEN_MAPS = new Set(['acknowledgement.serviceMap']);

function checkEngineFields(
  value: Record<string, unknown>,
  shape: Record<string, unknown>,
  path: string,
): void {
  for (const [key, child] of Object.entries(value)) {
    const dotted = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(shape, key)) throw new SchemaViolation(`engine.${dotted}`, 'unknown setting');
    const expected = shape[key];
    if (Array.isArray(expected)) {
      if (!Array.isArray(child)) throw new SchemaViolation(`engine.${dotted}`, 'must be a list');
    } else if (isRecord(expected)) {
      if (!isRecord(child)) throw new SchemaViolation(`engine.${dotted}`, 'must be an object');
      if (!ENGINE_OPEN_MAPS.has(dotted)) checkEngineFields(child, expected, dotted);
    } else if (typeof child !== typeof expected) {
      throw new SchemaViolation(`engine.${dotted}`, `must be a ${typeof expected}`);
    }
  }
}

function resolveEngine(section: unknown): EngineConfig {
  if (section === undefined) return DEFAULT_ENGINE_CONFIG;
  if (!isRecord(section)) throw new SchemaViolation('engine', 'must be an object');
  checkEngineFields(section, DEFAULT_ENGINE_CONFIG as unknown as Record<string, unknown>, '');
  try {
    return resolveEngineConfig(section as EngineConfigOverrides);
  } catch (error) {
    if (error instanceof EngineConfigError) {
      throw new SchemaViolation(
        `engine.${error.key}`,
        error.message.replace(`engine config ${error.key} `, ''),
      );
    }
    throw error;
  }
}

function resolveNotify(section: unknown): NotifyConfig {
  try {
    return validateNotifyConfig(section ?? {}, 'notify');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const separator = message.indexOf(': ');
    if (separator > 0 && message.startsWith('notify')) {
      throw new SchemaViolation(message.slice(0, separator), message.slice(separator + 2));
    }
    throw new SchemaViolation('notify', message);
  }
}

function readPeers(peers: readonly { id: string; statusUrl: string }[]): WatchdogConfig['peers'] {
  const seen = new Set<string>();
  return peers.map((peer, index) => {
    if (seen.has(peer.id))
      throw new SchemaViolation(`watchdog.peers[${index}].id`, `"${peer.id}" is listed twice`);
    seen.add(peer.id);
    return { id: peer.id, statusUrl: peer.statusUrl };
  });
}

function readSchedule(text: string, path: string): Schedule {
  try {
    return parseSchedule(text);
  } catch (error) {
    if (error instanceof ScheduleError) throw new SchemaViolation(path, error.message);
    throw error;
  }
}

function toAbsolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function toCredentials(value: { tenantId: string; clientId: string; clientSecret?: string } | undefined) {
  return value
    ? { tenantId: value.tenantId, clientId: value.clientId, clientSecret: value.clientSecret ?? null }
    : null;
}

/** Every string secret in the document (tokens, connection strings, client secrets, sink URLs). */
function collectSecrets(value: unknown, key = '', found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (
      /token|secret|connectionstring|password|url|routingkey|apikey|webhook/i.test(key) &&
      value.length >= 8
    ) {
      found.push(value);
    }
  } else if (Array.isArray(value)) for (const item of value) collectSecrets(item, key, found);
  else if (isRecord(value))
    for (const [child, item] of Object.entries(value)) collectSecrets(item, child, found);
  return found;
}

/**
 * Validates a parsed configuration document and resolves it. `source` names it in errors
 * (`crosswatch.config.json`, `CROSSWATCH_CONFIG`); relative paths resolve against `cwd`.
 */
export function validateConfig(
  value: unknown,
  source: string,
  options: { readonly cwd?: string } = {},
): CrosswatchConfig {
  const cwd = options.cwd ?? process.cwd();
  try {
    const file = applySchema(schemaDocument as JsonSchemaNode, value ?? {}, '') as Required<ConfigFile> &
      Record<string, never>;
    const doc = file as unknown as {
      dataDir: string;
      vantage?: { id: string; cloud: Vantage['cloud']; region: string };
      server?: { host: string; port: number };
      store?: Record<string, unknown> & { kind: string };
      evidence?: Record<string, unknown> & { kind: string; retentionDays: number };
      probes?: {
        enabled: boolean;
        catalog: 'default' | 'none';
        targetsFile?: string;
        schedule: string;
        timeoutMs: number;
        concurrency: number;
        controls: boolean;
        tenant: { tenantId?: string; tenantDomain?: string; storageAccount?: string; regions: string[] };
      };
      engine?: unknown;
      notify?: unknown;
      webhook?: {
        tokens: string[];
        entra?: { tenantId: string; audience: string[]; allowedAppIds: string[]; jwksUrl?: string };
        standardWebhookSecrets: string[];
        maxBodyBytes: number;
        allowedSubscriptionIds: string[];
      };
      pollers?: {
        schedule: string;
        azureResourceHealth?: {
          enabled: boolean;
          subscriptionIds: string[];
          credentials?: { tenantId: string; clientId: string; clientSecret?: string };
        };
        m365?: {
          enabled: boolean;
          credentials: { tenantId: string; clientId: string; clientSecret?: string };
        };
        azureStatusFeed?: { enabled: boolean };
      };
      watchdog?: { schedule: string; peers: { id: string; statusUrl: string }[] };
      log?: { level: LogConfig['level']; format: LogConfig['format'] };
    };
    // Sections left out entirely get their defaults through the schema too.
    const section = <T>(name: string, given: T | undefined): T =>
      given ??
      (applySchema(
        (schemaDocument.properties as Record<string, JsonSchemaNode>)[name] as JsonSchemaNode,
        {},
        name,
      ) as T);
    const dataDir = toAbsolute(doc.dataDir, cwd);
    const vantage = section('vantage', doc.vantage);
    const server = section('server', doc.server);
    const probes = section('probes', doc.probes);
    const webhook = section('webhook', doc.webhook);
    const pollers = section('pollers', doc.pollers);
    const watchdog = section('watchdog', doc.watchdog);
    const log = section('log', doc.log);
    const evidenceSection = section('evidence', doc.evidence);
    const storeSection = doc.store ?? { kind: 'sqlite' };

    let store: StateStoreConfig;
    switch (storeSection.kind) {
      case 'sqlite':
        store = {
          kind: 'sqlite',
          path: toAbsolute((storeSection.path as string | undefined) ?? `${dataDir}/crosswatch.db`, cwd),
          ...(storeSection.durability ? { durability: storeSection.durability as 'normal' | 'full' } : {}),
        };
        break;
      case 'memory':
        store = { kind: 'memory' };
        break;
      case 'azure-table':
        store = {
          kind: 'azure-table',
          connectionString: storeSection.connectionString as string,
          tableName: storeSection.tableName as string,
        };
        break;
      default:
        store = {
          kind: 'dynamodb',
          tableName: storeSection.tableName as string,
          ...(storeSection.region || storeSection.endpoint
            ? {
                client: {
                  ...(storeSection.region ? { region: storeSection.region as string } : {}),
                  ...(storeSection.endpoint ? { endpoint: storeSection.endpoint as string } : {}),
                },
              }
            : {}),
        };
    }

    const retentionDays = evidenceSection.retentionDays;
    const requireField = (name: string) => {
      const found = evidenceSection[name];
      if (typeof found !== 'string')
        throw new SchemaViolation(`evidence.${name}`, `is required for kind ${evidenceSection.kind}`);
      return found;
    };
    let evidence: EvidenceConfig;
    switch (evidenceSection.kind) {
      case 'directory':
        evidence = {
          kind: 'directory',
          path: toAbsolute((evidenceSection.path as string | undefined) ?? `${dataDir}/evidence`, cwd),
          retentionDays,
        };
        break;
      case 'azure-blob':
        evidence = {
          kind: 'azure-blob',
          connectionString: requireField('connectionString'),
          container: requireField('container'),
          retentionDays,
        };
        break;
      case 's3':
        evidence = {
          kind: 's3',
          bucket: requireField('bucket'),
          prefix: (evidenceSection.prefix as string) ?? '',
          retentionDays,
        };
        break;
      default:
        evidence = { kind: 'none', retentionDays };
    }

    const tenant: CatalogConfig = {
      ...(probes.tenant.tenantId ? { tenantId: probes.tenant.tenantId } : {}),
      ...(probes.tenant.tenantDomain ? { tenantDomain: probes.tenant.tenantDomain } : {}),
      ...(probes.tenant.storageAccount ? { storageAccount: probes.tenant.storageAccount } : {}),
      ...(probes.tenant.regions.length > 0 ? { regions: probes.tenant.regions } : {}),
    };

    const engine = resolveEngine(doc.engine);
    const notify = resolveNotify(doc.notify);

    return {
      source,
      dataDir,
      vantage: { id: vantage.id, cloud: vantage.cloud, region: vantage.region },
      server,
      store,
      evidence,
      probes: {
        enabled: probes.enabled,
        catalog: probes.catalog,
        targetsFile: probes.targetsFile ? toAbsolute(probes.targetsFile, cwd) : null,
        schedule: readSchedule(probes.schedule, 'probes.schedule'),
        timeoutMs: probes.timeoutMs,
        concurrency: probes.concurrency,
        controls: probes.controls,
        tenant,
      },
      engine,
      notify,
      webhook: {
        tokens: webhook.tokens,
        entra: webhook.entra
          ? {
              tenantId: webhook.entra.tenantId,
              audience: webhook.entra.audience,
              allowedAppIds: webhook.entra.allowedAppIds,
              ...(webhook.entra.jwksUrl ? { jwksUrl: webhook.entra.jwksUrl } : {}),
            }
          : null,
        standardWebhookSecrets: webhook.standardWebhookSecrets,
        maxBodyBytes: webhook.maxBodyBytes,
        allowedSubscriptionIds: webhook.allowedSubscriptionIds,
      },
      pollers: {
        schedule: readSchedule(pollers.schedule, 'pollers.schedule'),
        azureResourceHealth: pollers.azureResourceHealth
          ? {
              enabled: pollers.azureResourceHealth.enabled,
              subscriptionIds: pollers.azureResourceHealth.subscriptionIds,
              credentials: toCredentials(pollers.azureResourceHealth.credentials),
            }
          : null,
        m365: pollers.m365
          ? {
              enabled: pollers.m365.enabled,
              credentials: toCredentials(pollers.m365.credentials) as PollerCredentials,
            }
          : null,
        azureStatusFeed: pollers.azureStatusFeed ?? null,
      },
      watchdog: {
        schedule: readSchedule(watchdog.schedule, 'watchdog.schedule'),
        peers: readPeers(watchdog.peers),
      },
      log,
      secrets: [...new Set(collectSecrets(value))],
    };
  } catch (error) {
    if (error instanceof SchemaViolation)
      throw new ConfigError(source, error.path, error.problem, { cause: error });
    throw error;
  }
}

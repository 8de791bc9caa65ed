/**
 * The whole application's configuration, typed: what `validateConfig` (validate-config.ts) resolves
 * the configuration document into once at start, and the one-line error a bad setting raises.
 */

import type { EngineConfig } from '../engine/engine-config.ts';
import type { Vantage } from '../event/schema.ts';
import type { MeshPeer } from '../mesh/mesh-peer.ts';
import type { NotifyConfig } from '../notify/notify-config.ts';
import type { CatalogConfig } from '../probe/target-types.ts';
import type { StateStoreConfig } from '../store/create-state-store.ts';
import type { WebhookConfig } from '../webhook/webhook-config.ts';
import type { Schedule } from './schedule.ts';

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
  | { readonly kind: 'sqlite'; readonly path: string; readonly retentionDays: number }
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
  /** The AWS Health API; `organizational`: the …ForOrganization operations. */
  readonly awsHealth: {
    readonly enabled: boolean;
    readonly organizational: boolean;
    readonly region: string;
  } | null;
}

/** The local runner's HTTP server. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Complete headers within this (and an idle new connection): else 408 and closed. */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, within this of its start: else 408 and closed. */
  readonly requestTimeoutMs: number;
  /** Open connections at most; one beyond it is closed at once. */
  readonly maxConnections: number;
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
  readonly server: ServerConfig;
  readonly store: StateStoreConfig;
  readonly evidence: EvidenceConfig;
  readonly probes: ProbesConfig;
  readonly engine: EngineConfig;
  readonly notify: NotifyConfig;
  readonly webhook: WebhookConfig;
  readonly pollers: PollersConfig;
  readonly watchdog: WatchdogConfig;
  /** The peer deployments this one exchanges probe results and heartbeats with. */
  readonly mesh: { readonly peers: readonly MeshPeer[] };
  readonly log: LogConfig;
  /** Every secret value in the configuration, for log redaction. */
  readonly secrets: readonly string[];
}

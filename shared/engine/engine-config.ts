/**
 * The engine's configuration: every threshold of the incident engine, with defaults chosen for a
 * probe round every minute and provider webhooks. `resolveEngineConfig` merges a partial override
 * onto the defaults and validates it once; a bad setting throws EngineConfigError naming the key.
 */

export interface ProbeThresholds {
  /** A vantage starts failing after this many consecutive failed results (down or degraded). */
  readonly openAfterConsecutive: number;
  /** …or after `openAfterOf.failures` failures among its last `openAfterOf.results` results. */
  readonly openAfterOf: { readonly failures: number; readonly results: number };
  /** A failing vantage recovers after this many consecutive `up` results. */
  readonly resolveAfterConsecutive: number;
  /** Flap detection: outcome changes (up↔failed) counted over this many latest results… */
  readonly flapWindow: number;
  /** …at or above this count the vantage is flapping: its recovery is held (`suppressed`, flap-threshold). */
  readonly flapMinChanges: number;
  /** Round ids remembered per vantage to recognize a redelivered result. */
  readonly rememberedRounds: number;
}

export interface VerdictConfig {
  /** Vantages (with healthy controls) that must fail for `provider-outage`. */
  readonly quorum: number;
  /** A vantage's latest result counts for a verdict only while it is at most this old (ms). */
  readonly freshnessMs: number;
}

export interface AcknowledgementConfig {
  /**
   * Maps what a probe stands for to provider service names. Keys: `plane:<plane>`, `target:<id>`,
   * `service:<name>`; values: provider service names (case-insensitive). A probe's own `services`
   * always count too.
   */
  readonly serviceMap: Readonly<Record<string, readonly string[]>>;
  /** Slack around a probe incident's lifetime when matching a provider incident in time (ms). */
  readonly matchWindowMs: number;
  /** `escalate`/`unacknowledged` once a provider-outage verdict lasts this long unacknowledged (ms). */
  readonly unacknowledgedAfterMs: number;
  /**
   * A provider incident still open with no published update for this long no longer acknowledges
   * probe incidents that start after that (ms): a lost "Resolved" must not vouch for new outages.
   */
  readonly openProviderQuietMs: number;
}

export interface HealthSourceConfig {
  /** A health source is unreachable after failing continuously this long (ms)… */
  readonly unreachableAfterMs: number;
  /** …with at least this many failed attempts. */
  readonly minFailures: number;
}

export interface SilenceConfig {
  /** Azure maintenance events silence the matching probe targets for their window. */
  readonly autoMaintenance: boolean;
  /** Window length when a maintenance event names no planned end (ms). */
  readonly maintenanceDefaultDurationMs: number;
  /** Attribute names, tried in order, that hold a maintenance event's planned end time. */
  readonly plannedEndAttributes: readonly string[];
}

export interface WatchdogConfig {
  /** A peer whose latest heartbeat is older than this is stale (ms). */
  readonly staleAfterMs: number;
}

export interface EngineConfig {
  /** Provider stages that come after resolution (Azure `RCA`, Graph `postIncidentReviewPublished`). */
  readonly postResolutionStages: readonly string[];
  /** updateKeys remembered per incident for dedupe (oldest forgotten first). */
  readonly maxAppliedUpdates: number;
  /** Ids kept per scope list (subscriptions, accounts, tenants, resources) on an incident. */
  readonly maxScopeIds: number;
  /** Decisions kept on the incident document (the journal the decision log is repaired from). */
  readonly journalSize: number;
  /** Conditional-write attempts before a ConflictError escapes. */
  readonly maxWriteAttempts: number;
  /** Also write `duplicate` decisions to the decision log (they are always returned). */
  readonly persistDuplicates: boolean;
  readonly probe: ProbeThresholds;
  readonly verdict: VerdictConfig;
  readonly acknowledgement: AcknowledgementConfig;
  readonly healthSource: HealthSourceConfig;
  readonly silences: SilenceConfig;
  readonly watchdog: WatchdogConfig;
}

const MINUTE = 60_000;

export const DEFAULT_SERVICE_MAP: Readonly<Record<string, readonly string[]>> = {
  'plane:identity': [
    'Microsoft Entra ID',
    'Azure Active Directory',
    'Microsoft Entra',
    'Multi-Factor Authentication',
  ],
  'plane:mail': ['Exchange Online'],
  'plane:control': ['Azure Resource Manager'],
  'plane:dns': ['Azure DNS'],
  'plane:edge': ['Azure Front Door', 'Azure CDN'],
};

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  postResolutionStages: ['RCA', 'postIncidentReviewPublished'],
  maxAppliedUpdates: 200,
  maxScopeIds: 1000,
  journalSize: 20,
  maxWriteAttempts: 100,
  persistDuplicates: true,
  probe: {
    openAfterConsecutive: 3,
    openAfterOf: { failures: 3, results: 5 },
    resolveAfterConsecutive: 2,
    flapWindow: 20,
    flapMinChanges: 4,
    rememberedRounds: 16,
  },
  verdict: { quorum: 2, freshnessMs: 5 * MINUTE },
  acknowledgement: {
    serviceMap: DEFAULT_SERVICE_MAP,
    matchWindowMs: 30 * MINUTE,
    unacknowledgedAfterMs: 15 * MINUTE,
    openProviderQuietMs: 3 * 24 * 60 * MINUTE,
  },
  healthSource: { unreachableAfterMs: 10 * MINUTE, minFailures: 3 },
  silences: {
    autoMaintenance: true,
    maintenanceDefaultDurationMs: 8 * 60 * MINUTE,
    plannedEndAttributes: ['plannedEnd', 'plannedEndAt', 'impactMitigationTime'],
  },
  watchdog: { staleAfterMs: 10 * MINUTE },
};

/** A setting is invalid; `key` is its dotted path. */
export class EngineConfigError extends Error {
  override name = 'EngineConfigError';
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`engine config ${key} ${problem}`);
  }
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
export type EngineConfigOverrides = DeepPartial<EngineConfig>;

function integer(key: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new EngineConfigError(key, `must be an integer ≥ ${min}`);
}

function duration(key: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new EngineConfigError(key, 'must be a duration ≥ 0 ms');
}

/** Throws EngineConfigError for the first invalid setting. */
export function validateEngineConfig(config: EngineConfig): EngineConfig {
  integer('maxAppliedUpdates', config.maxAppliedUpdates, 1);
  integer('maxScopeIds', config.maxScopeIds, 1);
  integer('journalSize', config.journalSize, 1);
  integer('maxWriteAttempts', config.maxWriteAttempts, 1);
  if (!config.postResolutionStages.every((stage) => typeof stage === 'string' && stage.length > 0)) {
    throw new EngineConfigError('postResolutionStages', 'must be non-empty strings');
  }
  const probe = config.probe;
  integer('probe.openAfterConsecutive', probe.openAfterConsecutive, 1);
  integer('probe.openAfterOf.results', probe.openAfterOf.results, 1);
  integer('probe.openAfterOf.failures', probe.openAfterOf.failures, 1);
  if (probe.openAfterOf.failures > probe.openAfterOf.results) {
    throw new EngineConfigError('probe.openAfterOf.failures', 'must not exceed probe.openAfterOf.results');
  }
  integer('probe.resolveAfterConsecutive', probe.resolveAfterConsecutive, 1);
  integer('probe.flapWindow', probe.flapWindow, 2);
  integer('probe.flapMinChanges', probe.flapMinChanges, 1);
  integer('probe.rememberedRounds', probe.rememberedRounds, 1);
  integer('verdict.quorum', config.verdict.quorum, 1);
  duration('verdict.freshnessMs', config.verdict.freshnessMs);
  duration('acknowledgement.matchWindowMs', config.acknowledgement.matchWindowMs);
  duration('acknowledgement.unacknowledgedAfterMs', config.acknowledgement.unacknowledgedAfterMs);
  duration('acknowledgement.openProviderQuietMs', config.acknowledgement.openProviderQuietMs);
  for (const [key, services] of Object.entries(config.acknowledgement.serviceMap)) {
    if (!/^(plane|target|service):.+$/.test(key)) {
      throw new EngineConfigError(
        `acknowledgement.serviceMap.${key}`,
        'key must be plane:, target: or service:',
      );
    }
    if (!Array.isArray(services) || !services.every((service) => typeof service === 'string')) {
      throw new EngineConfigError(`acknowledgement.serviceMap.${key}`, 'must be a list of service names');
    }
  }
  duration('healthSource.unreachableAfterMs', config.healthSource.unreachableAfterMs);
  integer('healthSource.minFailures', config.healthSource.minFailures, 1);
  duration('silences.maintenanceDefaultDurationMs', config.silences.maintenanceDefaultDurationMs);
  duration('watchdog.staleAfterMs', config.watchdog.staleAfterMs);
  return config;
}

/** Defaults, overridden section by section, validated. */
export function resolveEngineConfig(overrides: EngineConfigOverrides = {}): EngineConfig {
  const d = DEFAULT_ENGINE_CONFIG;
  const o = overrides;
  return validateEngineConfig({
    ...d,
    ...(o as Partial<EngineConfig>),
    probe: {
      ...d.probe,
      ...o.probe,
      openAfterOf: { ...d.probe.openAfterOf, ...o.probe?.openAfterOf },
    } as ProbeThresholds,
    verdict: { ...d.verdict, ...o.verdict } as VerdictConfig,
    acknowledgement: {
      ...d.acknowledgement,
      ...o.acknowledgement,
      // Entries add to (or replace single keys of) the default map.
      serviceMap: { ...d.acknowledgement.serviceMap, ...o.acknowledgement?.serviceMap },
    } as AcknowledgementConfig,
    healthSource: { ...d.healthSource, ...o.healthSource } as HealthSourceConfig,
    silences: { ...d.silences, ...o.silences } as SilenceConfig,
    watchdog: { ...d.watchdog, ...o.watchdog } as WatchdogConfig,
  });
}

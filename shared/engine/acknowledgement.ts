/**
 * Provider acknowledgement and lead time. A probe incident is acknowledged by a provider incident
 * (any provider event: Service Health, Resource Health, Microsoft 365, AWS Health, the public Azure
 * status feed) that
 *   - names a service the probe stands for (its own `services` plus `acknowledgement.serviceMap`
 *     entries for its plane, target and services; see service-map.ts),
 *   - overlaps its regions (`Global` or no regions on either side overlaps everything), and
 *   - overlaps it in time: the provider incident's [startedAt or first publication, resolvedAt]
 *     meets the probe episode's [detectedAt − matchWindowMs, resolvedAt + matchWindowMs]; a provider
 *     incident still open counts until its last update has been quiet for `openProviderQuietMs`.
 * `acknowledgedAt` is the provider's first publication time (the earliest `updatedAt` of its
 * updates), `leadTimeMs = acknowledgedAt − detectedAt` (negative: the provider said so first).
 * Linking is checked both ways: when a provider incident is opened or updated, and when a probe
 * incident opens. Each link is an `update` decision (reason `acknowledged:<incidentKey>`).
 *
 * `escalate`/`unacknowledged`: once per episode, when a provider-outage verdict has lasted
 * `unacknowledgedAfterMs` with no acknowledgement (checked on every result and by evaluateTimers).
 */
import { type StateStore, updateItem } from '../store/ports.ts';
import type { Decision, DecisionDraft } from './decision.ts';
import { COLLECTIONS, toDocumentKey } from './engine-collections.ts';
import type { EngineConfig } from './engine-config.ts';
import { appendToJournal, type IncidentRecord } from './incident-record.ts';
import { applySilencePolicy } from './notification-policy.ts';
import { listProbeProviderServices, regionsOverlap, servicesOverlap } from './service-map.ts';
import type { Silence, SilenceSubject } from './silences.ts';

export const PROVIDER_INDEX_KEY = 'provider-incidents';
/** Resolved provider incidents stay linkable this long after their resolution. */
export const PROVIDER_INDEX_RETENTION_MS = 24 * 60 * 60_000;

export interface ProviderIndexEntry {
  readonly incidentKey: string;
  readonly provider: string;
  readonly title: string;
  readonly services: readonly string[];
  readonly regions: readonly string[];
  readonly startedAt: string | null;
  readonly firstPublishedAt: string;
  /** The newest published update's time (absent in entries indexed before it was recorded). */
  readonly lastPublishedAt?: string | null;
  readonly resolvedAt: string | null;
}

export interface ProviderIndex {
  readonly entries: Record<string, ProviderIndexEntry>;
}

function readLastPublishedAt(record: IncidentRecord): string | null {
  const state = record.providerState;
  if (!state) return null;
  return (
    (Object.hasOwn(state.applied, state.headKey) ? state.applied[state.headKey]?.updatedAt : null) ?? null
  );
}

export function toProviderIndexEntry(record: IncidentRecord): ProviderIndexEntry {
  return {
    incidentKey: record.incidentKey,
    provider: record.provider,
    title: record.title,
    services: record.services,
    regions: record.regions,
    startedAt: record.startedAt,
    firstPublishedAt: record.providerState?.firstPublishedAt ?? record.firstSeenAt,
    lastPublishedAt: readLastPublishedAt(record),
    resolvedAt: record.status === 'resolved' ? record.resolvedAt : null,
  };
}

export function matchesAcknowledgement(
  probe: IncidentRecord,
  entry: ProviderIndexEntry,
  config: EngineConfig,
): boolean {
  const state = probe.probeState;
  // A control target is not the provider's: no provider incident acknowledges it.
  if (!state || state.detectedAt === null || state.control) return false;
  const services = listProbeProviderServices(
    { targetId: state.targetId, plane: state.plane, services: probe.services },
    config.acknowledgement,
  );
  if (!servicesOverlap(services, entry.services)) return false;
  if (!regionsOverlap(probe.regions, entry.regions)) return false;
  const window = config.acknowledgement.matchWindowMs;
  const probeStart = Date.parse(state.detectedAt) - window;
  const probeEnd =
    probe.status === 'resolved' && probe.resolvedAt ? Date.parse(probe.resolvedAt) + window : Infinity;
  const providerStart = Date.parse(entry.startedAt ?? entry.firstPublishedAt);
  // Still open: ongoing until its last published update has been quiet for openProviderQuietMs.
  const providerEnd = entry.resolvedAt
    ? Date.parse(entry.resolvedAt)
    : entry.lastPublishedAt
      ? Date.parse(entry.lastPublishedAt) + config.acknowledgement.openProviderQuietMs
      : Infinity;
  return Math.min(providerStart, Date.parse(entry.firstPublishedAt)) <= probeEnd && providerEnd >= probeStart;
}

/** Links the probe incident to the provider incident; undefined when already linked. */
export function applyAcknowledgement(
  probe: IncidentRecord,
  entry: ProviderIndexEntry,
  now: Date,
  config: EngineConfig,
  silence: Silence | undefined,
): { next: IncidentRecord; decisions: Decision[] } | undefined {
  const state = probe.probeState;
  if (!state || state.detectedAt === null) return undefined;
  if (state.acknowledgedBy.some((ack) => ack.incidentKey === entry.incidentKey)) return undefined;
  const published = Date.parse(entry.firstPublishedAt);
  const acknowledgedAt =
    state.acknowledgedAt === null || published < Date.parse(state.acknowledgedAt)
      ? entry.firstPublishedAt
      : state.acknowledgedAt;
  const record: IncidentRecord = {
    ...probe,
    lastChangedAt: now.toISOString(),
    probeState: {
      ...state,
      acknowledgedAt,
      leadTimeMs: Date.parse(acknowledgedAt) - Date.parse(state.detectedAt),
      acknowledgedBy: [
        ...state.acknowledgedBy,
        {
          incidentKey: entry.incidentKey,
          provider: entry.provider,
          title: entry.title,
          publishedAt: entry.firstPublishedAt,
        },
      ],
    },
  };
  const draft: DecisionDraft = {
    kind: 'update',
    reason: `acknowledged:${entry.incidentKey}`,
    suppressedKind: null,
    incidentKey: probe.incidentKey,
    updateKey: `ack:${probe.incidentKey}:${probe.episode}:${entry.incidentKey}`,
    eventId: null,
    stale: false,
    decidedAt: now.toISOString(),
    eventTime: entry.firstPublishedAt,
    status: record.status,
    verdict: state.verdict,
    stage: null,
    title: record.title,
    severity: record.severity,
    provider: probe.provider,
    category: probe.category,
  };
  const silenced = applySilencePolicy(record, [draft], silence);
  const journaled = appendToJournal(silenced.record, silenced.drafts, config.journalSize);
  return { next: journaled.record, decisions: journaled.decisions };
}

/** The unacknowledged escalation, when due: marks the record and names the decision's updateKey. */
export function checkUnacknowledged(
  record: IncidentRecord,
  now: Date,
  config: EngineConfig,
): { record: IncidentRecord; updateKey: string } | undefined {
  const state = record.probeState;
  if (
    !state ||
    state.control ||
    record.status !== 'open' ||
    state.verdict !== 'provider-outage' ||
    state.outageSince === null
  ) {
    return undefined;
  }
  if (state.acknowledgedAt !== null || state.unacknowledgedEscalated) return undefined;
  if (now.getTime() - Date.parse(state.outageSince) < config.acknowledgement.unacknowledgedAfterMs)
    return undefined;
  return {
    record: { ...record, probeState: { ...state, unacknowledgedEscalated: true } },
    updateKey: `escalate:unacknowledged:${record.incidentKey}:${record.episode}`,
  };
}

// ---- store-backed linking -------------------------------------------------------------------------

export interface LinkDeps {
  readonly store: StateStore;
  readonly now: Date;
  readonly config: EngineConfig;
  readonly findSilence: (subject: SilenceSubject) => Silence | undefined;
}

export function describeIncidentSubject(record: IncidentRecord, config: EngineConfig): SilenceSubject {
  const state = record.probeState;
  return {
    kind: record.kind,
    incidentKey: record.incidentKey,
    provider: record.provider,
    services: state
      ? listProbeProviderServices(
          { targetId: state.targetId, plane: state.plane, services: record.services },
          config.acknowledgement,
        )
      : record.services,
    regions: record.regions,
    targetId: state?.targetId ?? null,
    plane: state?.plane ?? null,
  };
}

/** Adds or refreshes a provider incident in the acknowledgement index; prunes long-resolved ones. */
export async function indexProviderIncident(
  deps: LinkDeps,
  record: IncidentRecord,
): Promise<ProviderIndexEntry> {
  const entry = toProviderIndexEntry(record);
  const horizon = deps.now.getTime() - PROVIDER_INDEX_RETENTION_MS;
  await updateItem<ProviderIndex>(
    deps.store,
    COLLECTIONS.engineIndex,
    PROVIDER_INDEX_KEY,
    (current) => {
      const entries: Record<string, ProviderIndexEntry> = {};
      for (const [key, value] of Object.entries(current?.entries ?? {})) {
        if (value.resolvedAt === null || Date.parse(value.resolvedAt) >= horizon) entries[key] = value;
      }
      const previous = entries[entry.incidentKey];
      if (previous && JSON.stringify(previous) === JSON.stringify(entry) && current) {
        if (Object.keys(entries).length === Object.keys(current.entries).length) return undefined;
      }
      entries[entry.incidentKey] = entry;
      return { entries };
    },
    { maxAttempts: deps.config.maxWriteAttempts },
  );
  return entry;
}

async function linkOne(deps: LinkDeps, probeKey: string, entry: ProviderIndexEntry): Promise<Decision[]> {
  let decisions: Decision[] = [];
  await updateItem<IncidentRecord>(
    deps.store,
    COLLECTIONS.incidents,
    toDocumentKey(probeKey),
    (current) => {
      decisions = [];
      if (current?.kind !== 'probe' || !matchesAcknowledgement(current, entry, deps.config)) return undefined;
      const silence = deps.findSilence(describeIncidentSubject(current, deps.config));
      const linked = applyAcknowledgement(current, entry, deps.now, deps.config, silence);
      if (!linked) return undefined;
      decisions = linked.decisions;
      return linked.next;
    },
    { maxAttempts: deps.config.maxWriteAttempts },
  );
  return decisions;
}

/** Links every matching probe incident to this provider incident. */
export async function linkProviderToProbes(deps: LinkDeps, entry: ProviderIndexEntry): Promise<Decision[]> {
  const decisions: Decision[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.list<IncidentRecord>(COLLECTIONS.incidents, {
      prefix: 'probe:',
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const item of page.items) {
      if (matchesAcknowledgement(item.value, entry, deps.config)) {
        decisions.push(...(await linkOne(deps, item.value.incidentKey, entry)));
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return decisions;
}

/** Links a probe incident to every matching provider incident in the index. */
export async function linkProbeToProviders(deps: LinkDeps, probe: IncidentRecord): Promise<Decision[]> {
  const index = await deps.store.get<ProviderIndex>(COLLECTIONS.engineIndex, PROVIDER_INDEX_KEY);
  const decisions: Decision[] = [];
  for (const entry of Object.values(index?.value.entries ?? {})) {
    if (matchesAcknowledgement(probe, entry, deps.config)) {
      decisions.push(...(await linkOne(deps, probe.incidentKey, entry)));
    }
  }
  return decisions;
}

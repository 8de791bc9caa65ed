/**
 * Provider incidents (Azure Service Health, Resource Health, Microsoft 365, AWS Health): pure
 * decisions over (incident document, event, now, config).
 *
 * Rules (every input yields exactly one decision):
 *   1. An updateKey the incident has applied → `duplicate` (reason `already-applied`); its scope
 *      (subscriptions, accounts, tenants, resources) is still merged into the incident.
 *   2. A new updateKey is classified by its own phase (update-order.ts) against what the incident's
 *      current episode has seen, never by arrival order alone:
 *        active phase:   first active update of the episode → `open`;
 *                        newer than the head while the incident is resolved → `reopen` (new episode);
 *                        otherwise → `update`;
 *        resolved phase: first resolving update of the episode → `resolve`; otherwise `update`;
 *        post phase:     `update` (an RCA after the resolve is an update to a resolved incident).
 *   3. An update older than the incident's newest applied update is `stale`: it is decided and
 *      recorded as above (flag `stale: true`) but never changes the status, title or severity — so
 *      a late Active never re-opens a resolved incident.
 * Hence one incident's distinct updates yield the same multiset of decisions in every arrival order
 * (Azure Active, Active, Resolved, RCA → open, update, resolve, update); only `reopen` needs the
 * resolve to have arrived before the newer active update.
 */
import type { ProviderCloudEvent } from '../event/schema.ts';
import type { Decision, DecisionDraft, DecisionKind } from './decision.ts';
import { createDecision } from './decision.ts';
import type { EngineConfig } from './engine-config.ts';
import {
  type AppliedUpdate,
  appendToJournal,
  type IncidentRecord,
  mergeNames,
  mergeScope,
  type ProviderState,
} from './incident-record.ts';
import { applySilencePolicy } from './notification-policy.ts';
import type { Silence, SilenceSubject } from './silences.ts';
import { classifyUpdate, compareUpdates, type UpdatePhase } from './update-order.ts';

export class IncidentKindMismatchError extends Error {
  override name = 'IncidentKindMismatchError';
  constructor(incidentKey: string, expected: string, actual: string) {
    super(`incident ${incidentKey} is a ${actual} incident, not ${expected}`);
  }
}

export interface DecideContext {
  readonly now: Date;
  readonly config: EngineConfig;
  /** The active silence matching this subject at `now`, if any. */
  readonly findSilence: (subject: SilenceSubject) => Silence | undefined;
}

export interface DecideResult {
  /** The next incident document, or undefined when nothing needs writing. */
  readonly next: IncidentRecord | undefined;
  readonly decisions: Decision[];
}

export function describeProviderSubject(event: ProviderCloudEvent): SilenceSubject {
  return {
    kind: 'provider',
    incidentKey: event.data.incidentKey,
    provider: event.data.provider,
    services: event.data.services,
    regions: event.data.regions,
    targetId: null,
    plane: null,
  };
}

function draftFor(
  event: ProviderCloudEvent,
  record: IncidentRecord,
  kind: DecisionKind,
  reason: string | null,
  stale: boolean,
  now: Date,
): DecisionDraft {
  const data = event.data;
  return {
    kind,
    reason,
    suppressedKind: null,
    incidentKey: data.incidentKey,
    updateKey: data.updateKey,
    eventId: event.id,
    stale,
    decidedAt: now.toISOString(),
    eventTime: data.updatedAt,
    status: record.status,
    verdict: null,
    stage: data.stage,
    title: data.title,
    severity: data.severity,
    provider: data.provider,
    category: data.category,
  };
}

function createProviderRecord(event: ProviderCloudEvent, now: Date): IncidentRecord {
  const data = event.data;
  return {
    schema: 1,
    incidentKey: data.incidentKey,
    kind: 'provider',
    status: 'open',
    provider: data.provider,
    origin: data.origin,
    category: data.category,
    title: data.title,
    summary: data.summary,
    severity: data.severity,
    stage: data.stage,
    services: [],
    regions: [],
    scope: { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] },
    scopeOverflow: 0,
    startedAt: data.startedAt,
    openedAt: null,
    resolvedAt: null,
    firstSeenAt: now.toISOString(),
    lastChangedAt: now.toISOString(),
    episode: 1,
    episodeOpened: false,
    episodeResolved: false,
    openSuppressedBy: null,
    decisionSeq: 0,
    journal: [],
    providerState: null,
    probeState: null,
  };
}

function earlier(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

/**
 * The resolution time is the earliest resolving time among the resolving updates of the episode,
 * whatever their arrival order (an RCA arriving before the Resolved update sets it first, the late
 * Resolved moves it back). Post-resolution updates only set it when nothing else has.
 */
function computeResolvedAt(
  base: IncidentRecord,
  status: IncidentRecord['status'],
  phase: 'active' | 'resolved' | 'post',
  kind: DecisionKind,
  stale: boolean,
  at: string,
): string | null {
  if (kind === 'reopen' || status === 'open') return null;
  if (phase === 'active') return base.resolvedAt;
  if (phase === 'post') return base.resolvedAt ?? at;
  if (stale && base.status !== 'resolved') return base.resolvedAt;
  return earlier(base.resolvedAt, at);
}

/**
 * A redelivery, another subscription's copy, a backup-Region copy or another page of an update
 * already applied: a `duplicate`, and the incident's scope grows by what the copy adds.
 */
function decideAppliedCopy(
  current: IncidentRecord,
  event: ProviderCloudEvent,
  context: DecideContext,
): DecideResult {
  const { now, config } = context;
  const data = event.data;
  const merged = mergeScope(current.scope, data.scope, config.maxScopeIds);
  const grown = merged.added > 0 || merged.overflow > 0;
  const next = grown
    ? {
        ...current,
        scope: merged.scope,
        scopeOverflow: current.scopeOverflow + merged.overflow,
        services: mergeNames(current.services, data.services),
        regions: mergeNames(current.regions, data.regions),
      }
    : undefined;
  const duplicate = createDecision({
    ...draftFor(event, current, 'duplicate', 'already-applied', false, now),
  });
  return { next, decisions: [duplicate] };
}

interface EpisodeStep {
  readonly kind: DecisionKind;
  readonly episode: number;
  readonly episodeOpened: boolean;
  readonly episodeResolved: boolean;
}

/** The decision a new update makes and the episode it leaves: open, reopen, resolve or update. */
function chooseEpisodeStep(base: IncidentRecord, phase: UpdatePhase, stale: boolean): EpisodeStep {
  let kind: DecisionKind;
  let episode = base.episode;
  let episodeOpened = base.episodeOpened;
  let episodeResolved = base.episodeResolved;
  if (phase === 'active') {
    if (!episodeOpened) {
      kind = 'open';
      episodeOpened = true;
    } else if (base.status === 'resolved' && !stale) {
      kind = 'reopen';
      episode++;
      episodeResolved = false;
    } else {
      kind = 'update';
    }
  } else if (phase === 'resolved' && !episodeResolved) {
    kind = 'resolve';
    episodeResolved = true;
  } else {
    kind = 'update';
  }
  return { kind, episode, episodeOpened, episodeResolved };
}

/**
 * The provider state with this update applied: remembered (the oldest beyond `maxAppliedUpdates`
 * forgotten, never the head) and the head moved to it unless it is stale.
 */
function applyUpdateToState(
  state: ProviderState | null,
  data: ProviderCloudEvent['data'],
  rank: number,
  stale: boolean,
  config: EngineConfig,
): ProviderState {
  const applied: Record<string, AppliedUpdate> = {
    ...(state?.applied ?? {}),
    [data.updateKey]: { updatedAt: data.updatedAt, rank, stage: data.stage, status: data.status },
  };
  const appliedOrder = [...(state?.appliedOrder ?? []), data.updateKey];
  const headKey = stale && state ? state.headKey : data.updateKey;
  while (appliedOrder.length > config.maxAppliedUpdates) {
    const index = appliedOrder.findIndex((key) => key !== headKey);
    if (index < 0) break;
    const [evicted] = appliedOrder.splice(index, 1);
    if (evicted !== undefined) delete applied[evicted];
  }
  return {
    applied,
    appliedOrder,
    headKey,
    firstPublishedAt: earlier(state?.firstPublishedAt ?? null, data.updatedAt) ?? data.updatedAt,
  };
}

export function decideProviderEvent(
  current: IncidentRecord | undefined,
  event: ProviderCloudEvent,
  context: DecideContext,
): DecideResult {
  const { now, config } = context;
  const data = event.data;
  if (current && current.kind !== 'provider') {
    throw new IncidentKindMismatchError(data.incidentKey, 'provider', current.kind);
  }
  const state = current?.providerState ?? null;

  // 1. A redelivery, another subscription's copy, a backup-Region copy or another page.
  if (current && state?.applied[data.updateKey]) return decideAppliedCopy(current, event, context);

  // 2. A new update.
  const base = current ?? createProviderRecord(event, now);
  const { phase, rank } = classifyUpdate(data, config.postResolutionStages);
  const position = { updatedAt: data.updatedAt, rank, updateKey: data.updateKey };
  const head = state ? state.applied[state.headKey] : undefined;
  const stale =
    state !== null &&
    head !== undefined &&
    compareUpdates(position, { ...head, updateKey: state.headKey }) < 0;
  const { kind, episode, episodeOpened, episodeResolved } = chooseEpisodeStep(base, phase, stale);

  const status = stale ? base.status : phase === 'active' ? 'open' : 'resolved';
  const providerState = applyUpdateToState(state, data, rank, stale, config);
  const merged = mergeScope(base.scope, data.scope, config.maxScopeIds);
  let record: IncidentRecord = {
    ...base,
    status,
    ...(stale
      ? {}
      : {
          title: data.title,
          summary: data.summary,
          severity: data.severity,
          stage: data.stage,
          category: data.category,
        }),
    services: mergeNames(base.services, data.services),
    regions: mergeNames(base.regions, data.regions),
    scope: merged.scope,
    scopeOverflow: base.scopeOverflow + merged.overflow,
    startedAt: earlier(base.startedAt, data.startedAt),
    openedAt: kind === 'open' || kind === 'reopen' ? data.updatedAt : base.openedAt,
    resolvedAt: computeResolvedAt(base, status, phase, kind, stale, data.resolvedAt ?? data.updatedAt),
    lastChangedAt: now.toISOString(),
    episode,
    episodeOpened,
    episodeResolved,
    providerState,
  };

  const drafts = [draftFor(event, record, kind, stale ? 'stale' : null, stale, now)];
  const silenced = applySilencePolicy(record, drafts, context.findSilence(describeProviderSubject(event)));
  record = silenced.record;
  const journaled = appendToJournal(record, silenced.drafts, config.journalSize);
  return { next: journaled.record, decisions: journaled.decisions };
}

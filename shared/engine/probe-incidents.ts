/**
 * Probe incidents: one per target (`probe:<targetId>`), with state per vantage. Pure decisions over
 * (incident document, probe-result event, now, config, impaired vantages).
 *
 * Per vantage (thresholds in `probe.*`):
 *   - a result whose round the vantage already reported → `duplicate` (already-applied); an older
 *     result than the vantage's latest → `duplicate` (superseded). Neither is counted.
 *   - `inconclusive` → `suppressed` (reason `inconclusive`, or `vantage-impaired` for that reason);
 *     a failure while the vantage's controls fail → `suppressed` (vantage-impaired). Never counted,
 *     so they never open or resolve anything.
 *   - `down` and `degraded` count as failures, `up` as success. A vantage starts failing after
 *     `openAfterConsecutive` consecutive failures or `openAfterOf.failures` of its last
 *     `openAfterOf.results` results (counting only results since it last recovered); it recovers after `resolveAfterConsecutive` consecutive ups —
 *     unless it is flapping (≥ `flapMinChanges` up↔failed changes in its last `flapWindow` results),
 *     then the recovery is held (`suppressed`, flap-threshold) until the results settle.
 * Per incident:
 *   - the first vantage to start failing opens it (`open`; `reopen` for later episodes);
 *   - the last failing vantage recovering resolves it (`resolve`);
 *   - while open, a vantage starting to fail or recovering, or a verdict change, is an `update`;
 *   - anything else is `observe` (`healthy`, `still-failing`) or `suppressed` (`flap-threshold`:
 *     a failure below the open threshold, or an up below the resolve threshold; `recovering`: an up
 *     below the resolve threshold that changed only the verdict, e.g. a vantage back from an
 *     impaired network);
 *   - a control target (`target.control`) never opens or notifies (`observe`/`suppressed`, reason
 *     `control-target`): its failures mean our network, reported once per vantage by vantage-health.ts.
 *   - a provider-outage verdict unacknowledged for `acknowledgement.unacknowledgedAfterMs` adds one
 *     `escalate` (unacknowledged) per episode.
 */
import type { ProbeCloudEvent } from '../event/schema.ts';
import { checkUnacknowledged } from './acknowledgement.ts';
import type { Decision, DecisionDraft, DecisionKind, Verdict } from './decision.ts';
import { createDecision } from './decision.ts';
import type { EngineConfig, ProbeThresholds } from './engine-config.ts';
import {
  appendToJournal,
  type IncidentRecord,
  mergeNames,
  type ProbeState,
  type VantageState,
} from './incident-record.ts';
import { applySilencePolicy } from './notification-policy.ts';
import { type DecideContext, type DecideResult, IncidentKindMismatchError } from './provider-incidents.ts';
import { listProbeProviderServices } from './service-map.ts';
import type { SilenceSubject } from './silences.ts';
import { computeVerdict, countChanges, listImpairedVantages, type VerdictInput } from './verdicts.ts';

export interface ProbeDecideContext extends DecideContext {
  /** Vantages whose control targets currently fail (vantage-health.ts). */
  readonly impairedVantageIds: ReadonlySet<string>;
}

export function describeProbeSubject(
  data: ProbeCloudEvent['data'],
  services: readonly string[],
  config: EngineConfig,
): SilenceSubject {
  return {
    kind: 'probe',
    incidentKey: data.incidentKey,
    provider: data.provider,
    services: listProbeProviderServices(
      { targetId: data.target.id, plane: data.plane, services },
      config.acknowledgement,
    ),
    regions: data.regions,
    targetId: data.target.id,
    plane: data.plane,
  };
}

function createProbeRecord(event: ProbeCloudEvent, now: Date): IncidentRecord {
  const data = event.data;
  return {
    schema: 1,
    incidentKey: data.incidentKey,
    kind: 'probe',
    status: 'resolved',
    provider: data.provider,
    origin: data.origin,
    category: data.category,
    title: `${data.target.name} (${data.plane} plane)`,
    summary: data.summary,
    severity: 'info',
    stage: null,
    services: [],
    regions: [],
    scope: { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] },
    scopeOverflow: 0,
    startedAt: null,
    openedAt: null,
    resolvedAt: null,
    firstSeenAt: now.toISOString(),
    lastChangedAt: now.toISOString(),
    episode: 0,
    episodeOpened: false,
    episodeResolved: false,
    openSuppressedBy: null,
    decisionSeq: 0,
    journal: [],
    providerState: null,
    probeState: {
      targetId: data.target.id,
      targetName: data.target.name,
      address: data.target.address,
      control: data.target.control,
      plane: data.plane,
      vantages: {},
      verdict: null,
      verdictSince: null,
      outageSince: null,
      detectedAt: null,
      acknowledgedAt: null,
      leadTimeMs: null,
      acknowledgedBy: [],
      unacknowledgedEscalated: false,
    },
  };
}

function createVantageState(data: ProbeCloudEvent['data']): VantageState {
  return {
    id: data.vantage.id,
    cloud: data.vantage.cloud,
    region: data.vantage.region,
    window: '',
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    resultsSinceChange: 0,
    failing: false,
    failingSince: null,
    lastResultAt: '1970-01-01T00:00:00.000Z',
    lastOutcome: 'none',
    lastError: null,
    lastLatencyMs: null,
    lastInconclusiveAt: null,
    lastInconclusiveReason: null,
    rounds: [],
  };
}

/** Applies one counted outcome to a vantage; says whether it started failing, recovered, or held. */
export function applyOutcome(
  vantage: VantageState,
  outcome: 'up' | 'down' | 'degraded',
  probe: ProbeThresholds,
): { vantage: VantageState; started: boolean; recovered: boolean; held: boolean } {
  const letter = outcome === 'up' ? 'u' : outcome === 'down' ? 'd' : 'g';
  const keep = Math.max(probe.openAfterOf.results, probe.flapWindow, probe.openAfterConsecutive);
  const window = (vantage.window + letter).slice(-keep);
  const success = letter === 'u';
  const consecutiveFailures = success ? 0 : vantage.consecutiveFailures + 1;
  const consecutiveSuccesses = success ? vantage.consecutiveSuccesses + 1 : 0;
  const resultsSinceChange = (vantage.resultsSinceChange ?? 0) + 1;
  let failing = vantage.failing;
  let started = false;
  let recovered = false;
  let held = false;
  if (!failing && !success) {
    const considered = Math.min(probe.openAfterOf.results, resultsSinceChange);
    const recentFailures = [...window.slice(-considered)].filter((c) => c !== 'u').length;
    if (consecutiveFailures >= probe.openAfterConsecutive || recentFailures >= probe.openAfterOf.failures) {
      failing = true;
      started = true;
    }
  } else if (failing && success && consecutiveSuccesses >= probe.resolveAfterConsecutive) {
    if (countChanges(window.slice(-probe.flapWindow)) >= probe.flapMinChanges) {
      held = true;
    } else {
      failing = false;
      recovered = true;
    }
  }
  return {
    vantage: {
      ...vantage,
      window,
      consecutiveFailures,
      consecutiveSuccesses,
      resultsSinceChange: started || recovered ? 0 : resultsSinceChange,
      failing,
      failingSince: started ? null : failing ? vantage.failingSince : null,
    },
    started,
    recovered,
    held,
  };
}

type DraftFunction = (
  kind: DecisionKind,
  reason: string | null,
  record: IncidentRecord,
  updateKey?: string,
) => DecisionDraft;

/** Drafts a decision about this event, describing the incident as `record` leaves it. */
function createDraftFunction(event: ProbeCloudEvent, nowIso: string): DraftFunction {
  const data = event.data;
  return (kind, reason, record, updateKey = data.updateKey) => ({
    kind,
    reason,
    suppressedKind: null,
    incidentKey: data.incidentKey,
    updateKey,
    eventId: event.id,
    stale: false,
    decidedAt: nowIso,
    eventTime: data.updatedAt,
    status: record.status,
    verdict: record.probeState?.verdict ?? null,
    stage: data.outcome,
    title: record.title,
    severity: record.severity,
    provider: data.provider,
    category: data.category,
  });
}

/** Redeliveries and late results are not counted: why this one is a duplicate, or null. */
function findDuplicateReason(
  current: IncidentRecord | undefined,
  previous: VantageState,
  data: ProbeCloudEvent['data'],
): 'already-applied' | 'superseded' | null {
  if (current && previous.rounds.includes(data.roundId)) return 'already-applied';
  const latest = Math.max(
    Date.parse(previous.lastResultAt),
    Date.parse(previous.lastInconclusiveAt ?? '1970-01-01T00:00:00Z'),
  );
  if (current && Date.parse(data.updatedAt) < latest) return 'superseded';
  return null;
}

/** The vantage after one result: counted (started failing, recovered, held) or not (and why). */
interface VantageStep {
  readonly vantage: VantageState;
  readonly started: boolean;
  readonly recovered: boolean;
  readonly held: boolean;
  /** Why the result was not counted (`inconclusive`, `vantage-impaired`), or null when it was. */
  readonly uncounted: string | null;
}

function applyResultToVantage(
  previous: VantageState,
  data: ProbeCloudEvent['data'],
  context: ProbeDecideContext,
): VantageStep {
  const { config } = context;
  const rounds = [...previous.rounds, data.roundId].slice(-config.probe.rememberedRounds);
  const impairedByControls = context.impairedVantageIds.has(data.vantage.id) && !data.target.control;
  if (data.outcome === 'inconclusive' || (impairedByControls && data.outcome !== 'up')) {
    const uncounted =
      data.outcome === 'inconclusive' && data.reason !== 'vantage-impaired'
        ? 'inconclusive'
        : 'vantage-impaired';
    return {
      vantage: { ...previous, rounds, lastInconclusiveAt: data.updatedAt, lastInconclusiveReason: uncounted },
      started: false,
      recovered: false,
      held: false,
      uncounted,
    };
  }
  const applied = applyOutcome(previous, data.outcome, config.probe);
  return {
    vantage: {
      ...applied.vantage,
      rounds,
      failingSince: applied.started ? data.updatedAt : applied.vantage.failingSince,
      lastResultAt: data.updatedAt,
      lastOutcome: data.outcome,
      lastError: data.error,
      lastLatencyMs: data.latencyMs,
    },
    started: applied.started,
    recovered: applied.recovered,
    held: applied.held,
    uncounted: null,
  };
}

/** The incident after the vantage changed: its new record and the transitions that decide the decisions. */
interface IncidentStep {
  readonly record: IncidentRecord;
  readonly vantages: Record<string, VantageState>;
  readonly verdict: Verdict | null;
  readonly verdictChanged: boolean;
  readonly wasOpen: boolean;
  readonly opens: boolean;
  readonly resolves: boolean;
  readonly episode: number;
}

function describeSeverity(anyFailing: boolean, verdict: Verdict | null): IncidentRecord['severity'] {
  if (!anyFailing) return 'info';
  return verdict === 'provider-outage' ? 'critical' : verdict === 'degraded' ? 'warning' : 'error';
}

/** The probe state with the new vantage and verdict; a new episode starts its acknowledgement afresh. */
function updateProbeState(
  state: ProbeState,
  data: ProbeCloudEvent['data'],
  vantages: Record<string, VantageState>,
  verdict: { readonly value: Verdict | null; readonly impaired: readonly string[] },
  newEpisode: boolean,
  nowIso: string,
): ProbeState {
  const value = verdict.value;
  return {
    ...state,
    targetName: data.target.name,
    address: data.target.address,
    control: data.target.control,
    plane: data.plane,
    vantages,
    verdict: value,
    impairedVantages: [...verdict.impaired],
    verdictSince: value !== state.verdict ? nowIso : state.verdictSince,
    outageSince: value === 'provider-outage' ? (state.outageSince ?? nowIso) : null,
    ...(newEpisode
      ? {
          detectedAt: data.updatedAt,
          acknowledgedAt: null,
          leadTimeMs: null,
          acknowledgedBy: [],
          unacknowledgedEscalated: false,
        }
      : {}),
  };
}

/** The verdict over every vantage, and the incident opened, resolved or carried on by it. */
function updateIncident(
  base: IncidentRecord,
  vantage: VantageState,
  data: ProbeCloudEvent['data'],
  context: ProbeDecideContext,
  nowIso: string,
): IncidentStep {
  const { now, config } = context;
  const state = base.probeState as ProbeState;
  const vantages = { ...state.vantages, [vantage.id]: vantage };
  const input: VerdictInput = {
    vantages: Object.values(vantages),
    impairedVantageIds: context.impairedVantageIds,
    now: now.getTime(),
    verdict: config.verdict,
    probe: config.probe,
  };
  const verdict = computeVerdict(input);
  const impaired = listImpairedVantages(input).map((v) => v.id);
  const anyFailing = Object.values(vantages).some((v) => v.failing);
  const wasOpen = base.status === 'open';
  // A control target judges our own network (vantage-health.ts): it never opens an incident.
  const opens = !wasOpen && anyFailing && !data.target.control;
  const resolves = wasOpen && !anyFailing;
  const newEpisode = opens;
  const episode = newEpisode ? base.episode + 1 : base.episode;
  const record: IncidentRecord = {
    ...base,
    status: opens ? 'open' : resolves ? 'resolved' : base.status,
    severity: describeSeverity(anyFailing, verdict),
    summary: data.summary,
    services: mergeNames(base.services, data.services),
    regions: mergeNames(base.regions, data.regions),
    startedAt: newEpisode ? (vantage.failingSince ?? data.updatedAt) : base.startedAt,
    openedAt: newEpisode ? data.updatedAt : base.openedAt,
    resolvedAt: resolves ? data.updatedAt : newEpisode ? null : base.resolvedAt,
    lastChangedAt: nowIso,
    episode,
    episodeOpened: newEpisode ? true : base.episodeOpened,
    episodeResolved: resolves ? true : newEpisode ? false : base.episodeResolved,
    probeState: updateProbeState(state, data, vantages, { value: verdict, impaired }, newEpisode, nowIso),
  };
  const verdictChanged = verdict !== state.verdict;
  return { record, vantages, verdict, verdictChanged, wasOpen, opens, resolves, episode };
}

/** The decisions this result leads to (first matching rule wins), and the observation when none does. */
function draftTransition(
  step: VantageStep,
  incident: IncidentStep,
  data: ProbeCloudEvent['data'],
  draft: DraftFunction,
): { drafts: DecisionDraft[]; observations: DecisionDraft[] } {
  const { vantage, started, recovered, held, uncounted } = step;
  const { record, vantages, verdict, verdictChanged, wasOpen, opens, resolves, episode } = incident;
  const drafts: DecisionDraft[] = [];
  const observations: DecisionDraft[] = [];
  if (uncounted !== null) {
    drafts.push(draft('suppressed', uncounted, record));
    if (wasOpen && verdictChanged) drafts.push(draft('update', `verdict:${verdict ?? 'none'}`, record));
  } else if (opens) {
    drafts.push(
      draft(episode > 1 ? 'reopen' : 'open', verdict === null ? null : `verdict:${verdict}`, record),
    );
  } else if (resolves) {
    drafts.push(draft('resolve', `vantage-recovered:${vantage.id}`, record));
  } else if (wasOpen && started) {
    drafts.push(draft('update', `vantage-failing:${vantage.id}`, record));
  } else if (wasOpen && recovered) {
    drafts.push(draft('update', `vantage-recovered:${vantage.id}`, record));
  } else if (wasOpen && verdictChanged && data.outcome === 'up' && vantage.failing) {
    // An `up` below the resolve threshold changes the verdict only through the vantage's impairment
    // or freshness (a vantage coming back from an impaired network): its recovery, or its next
    // failure, is the news — this intermediate verdict is recorded, not sent.
    drafts.push({ ...draft('suppressed', 'recovering', record), suppressedKind: 'update' });
  } else if (wasOpen && verdictChanged) {
    drafts.push(draft('update', `verdict:${verdict ?? 'none'}`, record));
  } else if (held) {
    const last = Object.values(vantages).filter((v) => v.failing).length === 1;
    drafts.push({
      ...draft('suppressed', 'flap-threshold', record),
      suppressedKind: last ? 'resolve' : 'update',
    });
  } else if (data.outcome !== 'up' && !vantage.failing) {
    drafts.push({ ...draft('suppressed', 'flap-threshold', record), suppressedKind: 'open' });
  } else if (data.outcome === 'up' && vantage.failing) {
    drafts.push({ ...draft('suppressed', 'flap-threshold', record), suppressedKind: 'resolve' });
  } else {
    observations.push(draft('observe', wasOpen ? 'still-failing' : 'healthy', record));
  }
  return { drafts, observations };
}

/**
 * A control target's result: its vantage state is kept (the `incidents` listing shows it), but it
 * never opens, notifies or escalates — its failures say "us", and vantage-health.ts turns them into
 * one `vantage-impaired` signal per impaired vantage. A record opened before controls were kept
 * quiet resolves silently.
 */
function draftControlTransition(
  step: VantageStep,
  incident: IncidentStep,
  draft: DraftFunction,
): { drafts: DecisionDraft[]; observations: DecisionDraft[] } {
  const { record } = incident;
  if (step.uncounted !== null)
    return { drafts: [draft('suppressed', step.uncounted, record)], observations: [] };
  if (incident.resolves) {
    return {
      drafts: [{ ...draft('suppressed', CONTROL_TARGET_REASON, record), suppressedKind: 'resolve' }],
      observations: [],
    };
  }
  return { drafts: [], observations: [draft('observe', CONTROL_TARGET_REASON, record)] };
}

/** The reason on every decision about a control target's own incident record. */
export const CONTROL_TARGET_REASON = 'control-target';

/**
 * Decides one probe result: duplicates are dropped, the result is applied to its vantage, the
 * incident follows the verdict over every vantage, and the decisions pass the unacknowledged
 * escalation, the silences and the journal.
 */
export function decideProbeResult(
  current: IncidentRecord | undefined,
  event: ProbeCloudEvent,
  context: ProbeDecideContext,
): DecideResult {
  const { now, config } = context;
  const data = event.data;
  if (current && current.kind !== 'probe')
    throw new IncidentKindMismatchError(data.incidentKey, 'probe', current.kind);
  const base = current ?? createProbeRecord(event, now);
  const state = base.probeState as ProbeState;
  const previous = state.vantages[data.vantage.id] ?? createVantageState(data);
  const nowIso = now.toISOString();
  const draft = createDraftFunction(event, nowIso);

  const duplicate = findDuplicateReason(current, previous, data);
  if (duplicate !== null) {
    return { next: undefined, decisions: [createDecision(draft('duplicate', duplicate, base))] };
  }

  const step = applyResultToVantage(previous, data, context);
  const incident = updateIncident(base, step.vantage, data, context, nowIso);
  const { drafts, observations } = data.target.control
    ? draftControlTransition(step, incident, draft)
    : draftTransition(step, incident, data, draft);

  let record = incident.record;
  const escalation = checkUnacknowledged(record, now, config);
  if (escalation) {
    record = escalation.record;
    drafts.push(draft('escalate', 'unacknowledged', record, escalation.updateKey));
  }

  const subject = describeProbeSubject(data, record.services, config);
  const silenced = applySilencePolicy(record, drafts, context.findSilence(subject));
  const journaled = appendToJournal(silenced.record, silenced.drafts, config.journalSize);
  const observed: Decision[] = observations.map((d) => createDecision(d));
  return { next: journaled.record, decisions: [...journaled.decisions, ...observed] };
}

/**
 * The engine's entry point: normalized events in, their decisions out. Each decision about an
 * incident is committed by a conditional write on the incident document (retried on ConflictError,
 * re-deciding from the fresh document), so the same update processed twice, concurrently or from N
 * subscriptions yields exactly one non-duplicate decision. The decision-log records and the
 * follow-ups (maintenance silences, acknowledgement links) are idempotent and come after.
 *
 * Batches (`processEvents`): consecutive provider events are grouped by incident; the batch's
 * incident documents are read with one `getMany`, each incident decides all of its events in memory
 * in arrival order (the same pure rules as one at a time) and commits them with ONE conditional
 * write, and the decision log of the whole batch is written with one `putMany` per collection. A
 * storm of 500 copies of one update costs one read and one write instead of 500 of each, and stays
 * exactly-once: a lost condition re-reads the document and re-decides the whole group. Probe results
 * are order-sensitive (windows, vantage health) and keep one conditional write each; a probe event
 * ends the provider run before it, so provider and probe events keep their relative order.
 */
import type { CrosswatchEvent, ProbeCloudEvent, ProviderCloudEvent } from '../event/schema.ts';
import { EVENT_TYPES } from '../event/vocabulary.ts';
import { ConflictError, type StateStore, type StoredItem, updateItem } from '../store/ports.ts';
import {
  checkUnacknowledged,
  describeIncidentSubject,
  indexProviderIncident,
  type LinkDeps,
  linkProbeToProviders,
  linkProviderToProbes,
} from './acknowledgement.ts';
import type { Decision, DecisionDraft } from './decision.ts';
import { recordDecisions } from './decision-log.ts';
import { COLLECTIONS, toDocumentKey } from './engine-collections.ts';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './engine-config.ts';
import { appendToJournal, type IncidentRecord } from './incident-record.ts';
import { applyMaintenanceWindow } from './maintenance-silences.ts';
import { applySilencePolicy } from './notification-policy.ts';
import { decideProbeResult } from './probe-incidents.ts';
import { type DecideResult, decideProviderEvent } from './provider-incidents.ts';
import { findMatchingSilence, listCurrentSilences, type Silence, type SilenceSubject } from './silences.ts';
import { listImpairedVantages, recordControlResult } from './vantage-health.ts';

export interface EngineLogger {
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface EngineDeps {
  readonly store: StateStore;
  /** The engine's clock: a fixed instant, or a function read once per event. */
  readonly now: Date | (() => Date);
  readonly config?: EngineConfig;
  readonly logger?: EngineLogger;
  /** Preloaded silences (processEvents loads them once per batch); read from the store otherwise. */
  readonly silences?: readonly Silence[];
}

export class UnsupportedEventError extends Error {
  override name = 'UnsupportedEventError';
  constructor(type: string) {
    super(`the engine does not handle events of type ${type}`);
  }
}

function readNow(now: EngineDeps['now']): Date {
  return typeof now === 'function' ? now() : now;
}

interface Context {
  readonly store: StateStore;
  readonly now: Date;
  readonly config: EngineConfig;
  readonly logger: EngineLogger | undefined;
  readonly findSilence: (subject: SilenceSubject) => Silence | undefined;
}

async function createContext(deps: EngineDeps): Promise<Context> {
  const now = readNow(deps.now);
  const silences = deps.silences ?? (await listCurrentSilences(deps.store, now));
  return {
    store: deps.store,
    now,
    config: deps.config ?? DEFAULT_ENGINE_CONFIG,
    logger: deps.logger,
    findSilence: (subject) => findMatchingSilence(silences, subject, now.getTime()),
  };
}

async function decideOnIncident(
  context: Context,
  incidentKey: string,
  decide: (current: IncidentRecord | undefined) => DecideResult,
): Promise<{ record: IncidentRecord | undefined; decisions: Decision[] }> {
  let decisions: Decision[] = [];
  const stored = await updateItem<IncidentRecord>(
    context.store,
    COLLECTIONS.incidents,
    toDocumentKey(incidentKey),
    (current) => {
      const result = decide(current);
      decisions = result.decisions;
      return result.next;
    },
    { maxAttempts: context.config.maxWriteAttempts },
  );
  await recordDecisions(context.store, decisions, context.config);
  logDecisions(context, decisions);
  return { record: stored?.value, decisions };
}

function linkDeps(context: Context): LinkDeps {
  return { store: context.store, now: context.now, config: context.config, findSilence: context.findSilence };
}

async function processProviderEvent(event: ProviderCloudEvent, context: Context): Promise<Decision[]> {
  const { record, decisions } = await decideOnIncident(context, event.data.incidentKey, (current) =>
    decideProviderEvent(current, event, context),
  );
  if (!record) return decisions;
  return [...decisions, ...(await followProviderDecision(context, event, record, decisions))];
}

/** After a non-duplicate provider decision: the maintenance window, the index, the acknowledgement links. */
async function followProviderDecision(
  context: Context,
  event: ProviderCloudEvent,
  record: IncidentRecord,
  decisions: readonly Decision[],
): Promise<Decision[]> {
  const main = decisions[0];
  if (!main || main.kind === 'duplicate') return [];
  if (!main.stale) await applyMaintenanceWindow(context.store, event, context.now, context.config);
  const entry = await indexProviderIncident(linkDeps(context), record);
  const linked = await linkProviderToProbes(linkDeps(context), entry);
  await recordDecisions(context.store, linked, context.config);
  return linked;
}

interface GroupStep {
  readonly event: ProviderCloudEvent;
  /** The document after this event (what the one-at-a-time path would have stored). */
  readonly record: IncidentRecord;
  readonly decisions: Decision[];
}

/**
 * Decides one incident's events in arrival order on the preloaded document and commits them with
 * one conditional write; on a lost condition, re-reads and re-decides the whole group.
 */
async function decideProviderGroup(
  context: Context,
  documentKey: string,
  events: readonly ProviderCloudEvent[],
  preloaded: StoredItem<IncidentRecord> | undefined,
): Promise<GroupStep[]> {
  let current = preloaded;
  for (let attempt = 1; ; attempt++) {
    const steps: GroupStep[] = [];
    let record = current?.value;
    let changed = false;
    for (const event of events) {
      const result = decideProviderEvent(record, event, context);
      if (result.next) {
        record = result.next;
        changed = true;
      }
      if (record) steps.push({ event, record, decisions: result.decisions });
    }
    if (!changed || !record) return steps;
    try {
      await context.store.put(COLLECTIONS.incidents, documentKey, record, {
        expectedVersion: current ? current.version : null,
      });
      return steps;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= context.config.maxWriteAttempts) throw error;
      current = await context.store.get<IncidentRecord>(COLLECTIONS.incidents, documentKey);
    }
  }
}

/** A run of provider events: grouped by incident, one read for all, one write per incident. */
async function processProviderRun(
  events: readonly ProviderCloudEvent[],
  context: Context,
): Promise<Decision[]> {
  const groups = new Map<string, ProviderCloudEvent[]>();
  for (const event of events) {
    const key = toDocumentKey(event.data.incidentKey);
    const group = groups.get(key);
    if (group) group.push(event);
    else groups.set(key, [event]);
  }
  const documents = await context.store.getMany<IncidentRecord>(COLLECTIONS.incidents, [...groups.keys()]);
  const steps: GroupStep[] = [];
  for (const [key, group] of groups) {
    steps.push(...(await decideProviderGroup(context, key, group, documents.get(key))));
  }
  const decided = steps.flatMap((step) => step.decisions);
  await recordDecisions(context.store, [...decided, ...findCommittedOriginals(steps)], context.config);
  logDecisions(context, decided);
  const decisions: Decision[] = [];
  for (const step of steps) {
    decisions.push(...step.decisions);
    decisions.push(...(await followProviderDecision(context, step.event, step.record, step.decisions)));
  }
  return decisions;
}

/**
 * The journaled decisions that this run's duplicates are copies of. A crash between an incident's
 * write and its decision-log write leaves the decision only in the journal; the input is taken again
 * (it was never settled) and decided as a duplicate, and logging its original again (an idempotent
 * upsert under the same key) completes the log. At most one per distinct update in the run.
 */
function findCommittedOriginals(steps: readonly GroupStep[]): Decision[] {
  const originals = new Map<string, Decision>();
  for (const step of steps) {
    for (const decision of step.decisions) {
      if (decision.kind !== 'duplicate') continue;
      for (const journaled of step.record.journal) {
        if (journaled.updateKey === decision.updateKey && journaled.kind !== 'duplicate')
          originals.set(journaled.id, journaled);
      }
    }
  }
  return [...originals.values()];
}

function logDecisions(context: Context, decisions: readonly Decision[]): void {
  for (const decision of decisions) {
    if (decision.kind !== 'duplicate' && decision.kind !== 'observe') {
      context.logger?.info('engine decision', {
        kind: decision.kind,
        reason: decision.reason,
        incidentKey: decision.incidentKey,
        updateKey: decision.updateKey,
      });
    }
  }
}

async function processProbeEvent(event: ProbeCloudEvent, context: Context): Promise<Decision[]> {
  const { config, store, now } = context;
  // A control result may start or end the vantage's impairment: one escalate/recover per episode.
  const signals = event.data.target.control ? await recordControlResult(store, event, now, config) : [];
  const impairedVantageIds = await listImpairedVantages(store, now, config.verdict.freshnessMs);
  const { record, decisions } = await decideOnIncident(context, event.data.incidentKey, (current) =>
    decideProbeResult(current, event, { ...context, impairedVantageIds }),
  );
  const opened = decisions.some(
    (d) =>
      d.kind === 'open' ||
      d.kind === 'reopen' ||
      d.suppressedKind === 'open' ||
      d.suppressedKind === 'reopen',
  );
  if (!record || !opened) return [...decisions, ...signals];
  const linked = await linkProbeToProviders(linkDeps(context), record);
  await recordDecisions(store, linked, config);
  return [...decisions, ...linked, ...signals];
}

/** Decides one normalized event; returns every decision it produced (at least one). */
export async function processEvent(event: CrosswatchEvent, deps: EngineDeps): Promise<Decision[]> {
  const context = await createContext(deps);
  switch (event.type) {
    case EVENT_TYPES.probeResult:
      return processProbeEvent(event as ProbeCloudEvent, context);
    case EVENT_TYPES.providerIncident:
    case EVENT_TYPES.resourceHealth:
      return processProviderEvent(event as ProviderCloudEvent, context);
    default:
      throw new UnsupportedEventError(String((event as { type?: unknown }).type));
  }
}

function isProviderEvent(event: CrosswatchEvent): event is ProviderCloudEvent {
  return event.type === EVENT_TYPES.providerIncident || event.type === EVENT_TYPES.resourceHealth;
}

/**
 * Decides a batch (silences read once): runs of provider events batched per incident, probe events
 * one at a time in their place. Decisions come back per incident in arrival order.
 */
export async function processEvents(
  events: readonly CrosswatchEvent[],
  deps: EngineDeps,
): Promise<Decision[]> {
  const context = await createContext(deps);
  const decisions: Decision[] = [];
  let run: ProviderCloudEvent[] = [];
  const flush = async () => {
    if (run.length > 0) decisions.push(...(await processProviderRun(run, context)));
    run = [];
  };
  for (const event of events) {
    if (isProviderEvent(event)) {
      run.push(event);
      continue;
    }
    await flush();
    if (event.type !== EVENT_TYPES.probeResult) throw new UnsupportedEventError(String(event.type));
    decisions.push(...(await processProbeEvent(event as ProbeCloudEvent, context)));
  }
  await flush();
  return decisions;
}

/**
 * Clock-driven decisions (run from a timer): the unacknowledged escalation of open probe incidents
 * whose provider-outage verdict has lasted long enough without a result arriving to notice.
 */
export async function evaluateTimers(deps: EngineDeps): Promise<Decision[]> {
  const context = await createContext(deps);
  const decisions: Decision[] = [];
  let cursor: string | undefined;
  do {
    const page = await context.store.list<IncidentRecord>(COLLECTIONS.incidents, {
      prefix: 'probe:',
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const item of page.items) {
      if (!checkUnacknowledged(item.value, context.now, context.config)) continue;
      const result = await decideOnIncident(context, item.value.incidentKey, (current) => {
        const due = current ? checkUnacknowledged(current, context.now, context.config) : undefined;
        if (!current || !due) return { next: undefined, decisions: [] };
        const draft: DecisionDraft = {
          kind: 'escalate',
          reason: 'unacknowledged',
          suppressedKind: null,
          incidentKey: current.incidentKey,
          updateKey: due.updateKey,
          eventId: null,
          stale: false,
          decidedAt: context.now.toISOString(),
          eventTime: current.probeState?.outageSince ?? null,
          status: current.status,
          verdict: current.probeState?.verdict ?? null,
          stage: null,
          title: current.title,
          severity: current.severity,
          provider: current.provider,
          category: current.category,
        };
        const silenced = applySilencePolicy(
          due.record,
          [draft],
          context.findSilence(describeIncidentSubject(due.record, context.config)),
        );
        const journaled = appendToJournal(silenced.record, silenced.drafts, context.config.journalSize);
        return { next: journaled.record, decisions: journaled.decisions };
      });
      decisions.push(...result.decisions);
    }
    cursor = page.cursor;
  } while (cursor);
  return decisions;
}

export async function getIncident(
  store: StateStore,
  incidentKey: string,
): Promise<IncidentRecord | undefined> {
  return (await store.get<IncidentRecord>(COLLECTIONS.incidents, toDocumentKey(incidentKey)))?.value;
}

/** Every incident document (provider and probe), by key. */
export async function listIncidents(store: StateStore): Promise<IncidentRecord[]> {
  const incidents: IncidentRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list<IncidentRecord>(COLLECTIONS.incidents, {
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const item of page.items) incidents.push(item.value);
    cursor = page.cursor;
  } while (cursor);
  return incidents;
}

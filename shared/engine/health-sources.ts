/**
 * A provider health source that cannot be reached (Service Health API, Graph, AWS Health…) is a
 * signal, not silence. Pollers report each attempt: after failing continuously for
 * `healthSource.unreachableAfterMs` with at least `healthSource.minFailures` failures, the engine
 * decides `escalate` (reason `health-source-unreachable`) once per episode; the first success after
 * that decides `recover` (reason `health-source-reachable`). One document per source in
 * `health-sources`, written with conditional writes so concurrent pollers decide once.
 */
import { type StateStore, updateItem } from '../store/ports.ts';
import type { Decision, DecisionDraft } from './decision.ts';
import { createDecision } from './decision.ts';
import { recordDecisions } from './decision-log.ts';
import { COLLECTIONS } from './engine-collections.ts';
import type { EngineConfig } from './engine-config.ts';

export interface HealthSourceRecord {
  readonly source: string;
  readonly failingSince: string | null;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly lastAttemptAt: string;
  readonly escalated: boolean;
  readonly episode: number;
  readonly decisionSeq: number;
  readonly journal: Decision[];
}

export interface HealthSourceDeps {
  readonly store: StateStore;
  readonly now: Date;
  readonly config: EngineConfig;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function draft(
  record: HealthSourceRecord,
  kind: 'escalate' | 'recover',
  reason: string,
  at: string,
  now: Date,
): DecisionDraft {
  return {
    kind,
    reason,
    suppressedKind: null,
    incidentKey: `health-source:${record.source}`,
    updateKey: `health-source:${record.source}:${record.episode}:${kind}`,
    eventId: null,
    stale: false,
    decidedAt: now.toISOString(),
    eventTime: at,
    status: kind === 'escalate' ? 'open' : 'resolved',
    verdict: null,
    stage: null,
    title: `Health source ${record.source} ${kind === 'escalate' ? 'unreachable' : 'reachable again'}`,
    severity: kind === 'escalate' ? 'error' : 'info',
    provider: null,
    category: null,
  };
}

function empty(source: string, at: string): HealthSourceRecord {
  return {
    source,
    failingSince: null,
    consecutiveFailures: 0,
    lastError: null,
    lastAttemptAt: at,
    escalated: false,
    episode: 0,
    decisionSeq: 0,
    journal: [],
  };
}

async function commit(
  deps: HealthSourceDeps,
  source: string,
  mutate: (current: HealthSourceRecord) => { next: HealthSourceRecord; drafts: DecisionDraft[] },
): Promise<Decision[]> {
  let decisions: Decision[] = [];
  await updateItem<HealthSourceRecord>(
    deps.store,
    COLLECTIONS.healthSources,
    source,
    (current) => {
      const { next, drafts } = mutate(current ?? empty(source, deps.now.toISOString()));
      let seq = next.decisionSeq;
      decisions = drafts.map((d) => createDecision({ ...d, seq: ++seq }));
      return {
        ...next,
        decisionSeq: seq,
        journal: [...next.journal, ...decisions].slice(-deps.config.journalSize),
      };
    },
    { maxAttempts: deps.config.maxWriteAttempts },
  );
  await recordDecisions(deps.store, decisions, deps.config);
  return decisions;
}

/** Records a failed attempt to reach a health source; returns the escalation when it is due. */
export async function reportSourceFailure(
  input: { readonly source: string; readonly error: unknown; readonly at: Date },
  deps: HealthSourceDeps,
): Promise<Decision[]> {
  const at = input.at.toISOString();
  return commit(deps, input.source, (current) => {
    const failingSince = current.failingSince ?? at;
    const next: HealthSourceRecord = {
      ...current,
      failingSince,
      consecutiveFailures: current.consecutiveFailures + 1,
      lastError: describeError(input.error),
      lastAttemptAt: at,
    };
    const due =
      !current.escalated &&
      next.consecutiveFailures >= deps.config.healthSource.minFailures &&
      input.at.getTime() - Date.parse(failingSince) >= deps.config.healthSource.unreachableAfterMs;
    if (!due) return { next, drafts: [] };
    const escalated = { ...next, escalated: true, episode: current.episode + 1 };
    return {
      next: escalated,
      drafts: [draft(escalated, 'escalate', 'health-source-unreachable', at, deps.now)],
    };
  });
}

/** Records a successful attempt; returns the recovery when the source had been escalated. */
export async function reportSourceSuccess(
  input: { readonly source: string; readonly at: Date },
  deps: HealthSourceDeps,
): Promise<Decision[]> {
  const at = input.at.toISOString();
  return commit(deps, input.source, (current) => {
    const next: HealthSourceRecord = {
      ...current,
      failingSince: null,
      consecutiveFailures: 0,
      lastError: null,
      lastAttemptAt: at,
      escalated: false,
    };
    if (!current.escalated) return { next, drafts: [] };
    return { next, drafts: [draft(current, 'recover', 'health-source-reachable', at, deps.now)] };
  });
}

/**
 * The incident document: everything the engine needs to decide the next input of one incident,
 * written with one conditional write per decision. Provider incidents carry the updates they have
 * applied (for dedupe and ordering); probe incidents carry per-vantage state, the verdict and the
 * acknowledgement. Both carry a bounded journal of their latest decisions.
 */
import type { Scope } from '../event/schema.ts';
import type { Decision, DecisionDraft, IncidentStatus, Verdict } from './decision.ts';
import { createDecision } from './decision.ts';

export interface AppliedUpdate {
  readonly updatedAt: string;
  readonly rank: number;
  readonly stage: string | null;
  readonly status: string;
}

export interface ProviderState {
  /** updateKey → what was applied; `appliedOrder` lists them oldest first (for eviction). */
  readonly applied: Record<string, AppliedUpdate>;
  readonly appliedOrder: string[];
  /** The newest applied update (by updatedAt, then stage rank, then updateKey). */
  readonly headKey: string;
  /** The provider's first publication time seen for this incident (earliest updatedAt). */
  readonly firstPublishedAt: string;
}

export interface VantageState {
  readonly id: string;
  readonly cloud: string;
  readonly region: string;
  /** Latest counted outcomes, oldest first: `u` up, `d` down, `g` degraded. */
  readonly window: string;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** Counted results since the vantage last started failing or recovered (M-of-K looks no further back). */
  readonly resultsSinceChange: number;
  readonly failing: boolean;
  readonly failingSince: string | null;
  readonly lastResultAt: string;
  readonly lastOutcome: string;
  readonly lastError: string | null;
  readonly lastLatencyMs: number | null;
  /** Latest inconclusive result (not counted), for the vantage-impaired verdict. */
  readonly lastInconclusiveAt: string | null;
  readonly lastInconclusiveReason: string | null;
  /** Recently seen round ids (redelivery detection). */
  readonly rounds: string[];
}

export interface Acknowledgement {
  readonly incidentKey: string;
  readonly provider: string;
  readonly title: string;
  readonly publishedAt: string;
}

export interface ProbeState {
  readonly targetId: string;
  readonly targetName: string;
  readonly address: string;
  readonly control: boolean;
  readonly plane: string;
  readonly vantages: Record<string, VantageState>;
  readonly verdict: Verdict | null;
  /**
   * The vantages the latest verdict treated as impaired (their controls fail, or their latest result
   * was inconclusive for that reason), so a message can name them. Absent in records written before.
   */
  readonly impairedVantages?: string[];
  readonly verdictSince: string | null;
  /** When the current provider-outage verdict began (for the unacknowledged escalation). */
  readonly outageSince: string | null;
  /** Episode detection time: the time of the result that opened it. */
  readonly detectedAt: string | null;
  readonly acknowledgedAt: string | null;
  readonly leadTimeMs: number | null;
  readonly acknowledgedBy: Acknowledgement[];
  readonly unacknowledgedEscalated: boolean;
}

export interface IncidentRecord {
  readonly schema: 1;
  readonly incidentKey: string;
  readonly kind: 'provider' | 'probe';
  readonly status: IncidentStatus;
  readonly provider: string;
  readonly origin: string;
  readonly category: string;
  readonly title: string;
  readonly summary: string;
  readonly severity: string;
  readonly stage: string | null;
  readonly services: string[];
  readonly regions: string[];
  readonly scope: Scope;
  /** Ids left out of `scope` because a list reached `maxScopeIds`. */
  readonly scopeOverflow: number;
  readonly startedAt: string | null;
  readonly openedAt: string | null;
  readonly resolvedAt: string | null;
  readonly firstSeenAt: string;
  readonly lastChangedAt: string;
  /** Episode counter: 1 for the first, +1 on each reopen. */
  readonly episode: number;
  readonly episodeOpened: boolean;
  readonly episodeResolved: boolean;
  /** The episode's `open` was suppressed by this reason (silence); cleared once an `open` goes out. */
  readonly openSuppressedBy: string | null;
  readonly decisionSeq: number;
  readonly journal: Decision[];
  readonly providerState: ProviderState | null;
  readonly probeState: ProbeState | null;
}

/** Appends decisions to the journal with the next sequence numbers; returns the stored decisions. */
export function appendToJournal(
  record: IncidentRecord,
  drafts: readonly DecisionDraft[],
  journalSize: number,
): { record: IncidentRecord; decisions: Decision[] } {
  let seq = record.decisionSeq;
  const decisions = drafts.map((draft) => createDecision({ ...draft, seq: ++seq }));
  return {
    record: { ...record, decisionSeq: seq, journal: [...record.journal, ...decisions].slice(-journalSize) },
    decisions,
  };
}

/**
 * Lookup sets of scope lists, built once per list: documents are never mutated, so a list stays the
 * same array until an id is added, and a storm merging one id per event into a list of up to
 * `maxScopeIds` does one hash lookup per event instead of scanning or copying the list.
 */
const idSets = new WeakMap<readonly string[], Set<string>>();

function toIdSet(ids: readonly string[]): Set<string> {
  let set = idSets.get(ids);
  if (!set) {
    set = new Set(ids);
    idSets.set(ids, set);
  }
  return set;
}

function mergeIds(
  current: readonly string[],
  incoming: readonly string[],
  max: number,
): { ids: string[]; added: number; overflow: number } {
  if (incoming.length === 0) return { ids: current as string[], added: 0, overflow: 0 };
  const seen = toIdSet(current);
  let ids: string[] | undefined;
  let added = 0;
  let overflow = 0;
  const left: string[] = [];
  for (const id of incoming) {
    if (seen.has(id) || ids?.includes(id) || left.includes(id)) continue;
    if ((ids ?? current).length >= max) {
      left.push(id);
      overflow++;
      continue;
    }
    ids ??= [...current];
    ids.push(id);
    added++;
  }
  if (ids) idSets.set(ids, new Set(ids));
  // Unchanged: the same (never mutated) list, no copy.
  return { ids: ids ?? (current as string[]), added, overflow };
}

/** Union of two scopes, each list bounded; `added` counts new ids (0: nothing to write). */
export function mergeScope(
  current: Scope,
  incoming: Scope,
  max: number,
): { scope: Scope; added: number; overflow: number } {
  const tenants = mergeIds(current.tenantIds, incoming.tenantIds, max);
  const subscriptions = mergeIds(current.subscriptionIds, incoming.subscriptionIds, max);
  const accounts = mergeIds(current.accountIds, incoming.accountIds, max);
  const resources = mergeIds(current.resourceIds, incoming.resourceIds, max);
  return {
    scope: {
      tenantIds: tenants.ids,
      subscriptionIds: subscriptions.ids,
      accountIds: accounts.ids,
      resourceIds: resources.ids,
    },
    added: tenants.added + subscriptions.added + accounts.added + resources.added,
    overflow: tenants.overflow + subscriptions.overflow + accounts.overflow + resources.overflow,
  };
}

/** Union of name lists (services, regions), first spelling kept. */
export function mergeNames(current: readonly string[], incoming: readonly string[]): string[] {
  const seen = new Set(current.map((name) => name.toLowerCase()));
  const merged = [...current];
  for (const name of incoming) {
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    merged.push(name);
  }
  return merged;
}

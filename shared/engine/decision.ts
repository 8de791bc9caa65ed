/**
 * Decision records: what the engine concluded from one input, so every outcome is explainable and
 * the notify outbox has a durable list to read. State-changing decisions are committed inside the
 * same conditional write that changes the incident (its journal), then projected into the
 * `decisions` log under a deterministic id.
 */
import { createHash } from 'node:crypto';

export const DECISION_KINDS = [
  /** A new incident (or a new probe incident episode's first decision). */
  'open',
  /** A new published update of an incident, or a material change (verdict, acknowledgement). */
  'update',
  'resolve',
  /** A resolved incident became active again through an update newer than its resolution. */
  'reopen',
  /** The same update again (redelivery, another subscription, a backup Region, a page). */
  'duplicate',
  /** A decision that was held back; `reason` says why, `suppressedKind` what it would have been. */
  'suppressed',
  /** A signal that needs a human: `unacknowledged`, `health-source-unreachable`, `watchdog-stale`. */
  'escalate',
  /** The end of an escalated condition: `health-source-reachable`, `watchdog-recovered`. */
  'recover',
  /** A probe result that changed nothing worth telling (`healthy`, `still-failing`). */
  'observe',
] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** Kinds that a notifier sends; the others are for the record. */
export const NOTIFYING_KINDS: readonly DecisionKind[] = [
  'open',
  'update',
  'resolve',
  'reopen',
  'escalate',
  'recover',
];

export const ESCALATION_REASONS = {
  unacknowledged: 'unacknowledged',
  healthSourceUnreachable: 'health-source-unreachable',
  watchdogStale: 'watchdog-stale',
} as const;

export const VERDICTS = ['provider-outage', 'partial', 'vantage-impaired', 'degraded'] as const;
export type Verdict = (typeof VERDICTS)[number];

export type IncidentStatus = 'open' | 'resolved';

export interface Decision {
  /** Deterministic: sha256(incidentKey, updateKey, kind, reason), 32 hex characters. */
  readonly id: string;
  readonly kind: DecisionKind;
  readonly reason: string | null;
  /** For `suppressed`: the decision that was held back. */
  readonly suppressedKind: DecisionKind | null;
  readonly incidentKey: string;
  /** The input's updateKey, or a synthetic key for escalations (`escalate:unacknowledged:2`). */
  readonly updateKey: string;
  /** The CloudEvent id of the input, when there was one. */
  readonly eventId: string | null;
  /** The update is older than the newest one the incident has applied (out-of-order arrival). */
  readonly stale: boolean;
  /** The engine's clock when it decided (ISO UTC). */
  readonly decidedAt: string;
  /** The input's own time (`data.updatedAt`, heartbeat or failure time), ISO UTC. */
  readonly eventTime: string | null;
  /** Position in the incident's journal (state-changing decisions); null for duplicates. */
  readonly seq: number | null;
  /** The incident's status after this decision. */
  readonly status: IncidentStatus | null;
  readonly verdict: Verdict | null;
  readonly stage: string | null;
  readonly title: string | null;
  readonly severity: string | null;
  readonly provider: string | null;
  readonly category: string | null;
}

export function computeDecisionId(
  incidentKey: string,
  updateKey: string,
  kind: DecisionKind,
  reason: string | null,
): string {
  return createHash('sha256')
    .update(`${incidentKey}\n${updateKey}\n${kind}\n${reason ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

export type DecisionDraft = Omit<Decision, 'id' | 'seq'> & { readonly seq?: number | null };

export function createDecision(draft: DecisionDraft): Decision {
  return {
    ...draft,
    id: computeDecisionId(draft.incidentKey, draft.updateKey, draft.kind, draft.reason),
    seq: draft.seq ?? null,
  };
}

export function isNotifying(kind: DecisionKind): boolean {
  return NOTIFYING_KINDS.includes(kind);
}

/**
 * Vantage health: each vantage probes control targets outside Microsoft (`target.control`). When
 * most of its fresh control results fail, the vantage itself is impaired — our network, not the
 * provider — and its failures of other targets are not counted (`suppressed`, vantage-impaired).
 * One document per vantage in the `vantages` collection.
 *
 * An impairment is one signal, not one incident per control target: once the vantage has been judged
 * impaired in `probe.openAfterConsecutive` consecutive rounds, the engine decides one `escalate`
 * (reason `vantage-impaired`, incidentKey `vantage:<id>`, the vantage named in the title); once it
 * has been judged healthy in `probe.resolveAfterConsecutive` consecutive rounds after that, one
 * `recover` (reason `vantage-recovered`). A round is judged once more than half of the vantage's
 * fresh controls have reported in it (from those results only, so a round that has just begun is not
 * judged by the previous one's), and judged again with each later result of the same round. The
 * document is written with conditional writes, so concurrent results decide once.
 */
import type { ProbeCloudEvent } from '../event/schema.ts';
import { type StateStore, updateItem } from '../store/ports.ts';
import type { Decision, DecisionDraft } from './decision.ts';
import { createDecision } from './decision.ts';
import { recordDecisions } from './decision-log.ts';
import { COLLECTIONS } from './engine-collections.ts';
import type { EngineConfig } from './engine-config.ts';

export interface ControlResult {
  readonly outcome: string;
  readonly at: string;
  /** The round it came from (absent in documents written before rounds were judged). */
  readonly roundId?: string;
}

/** One probe round as judged from the vantage's control results. */
export interface RoundJudgement {
  readonly roundId: string;
  readonly impaired: boolean;
}

export interface VantageHealth {
  readonly vantageId: string;
  readonly controls: Record<string, ControlResult>;
  /** The latest rounds judged, oldest first (absent in documents written before they were kept). */
  readonly rounds?: RoundJudgement[];
  /** A `vantage-impaired` escalation was decided and no `recover` has followed yet. */
  readonly escalated?: boolean;
  /** Impairment episodes escalated so far (part of the decisions' updateKey). */
  readonly episode?: number;
  readonly decisionSeq?: number;
  readonly journal?: Decision[];
}

export const VANTAGE_IMPAIRED_REASON = 'vantage-impaired';
export const VANTAGE_RECOVERED_REASON = 'vantage-recovered';
/** The `category` of vantage-health decisions, for routing them to an operator channel. */
export const VANTAGE_CATEGORY = 'vantage';

/** Impaired when more than half of the fresh, conclusive control results are `down`. */
export function isImpaired(health: VantageHealth, now: number, freshnessMs: number): boolean {
  const { fresh, down } = countFreshControls(health, now, freshnessMs);
  return fresh > 0 && down * 2 > fresh;
}

function countFreshControls(
  health: VantageHealth,
  now: number,
  freshnessMs: number,
): { fresh: number; down: number } {
  const fresh = Object.values(health.controls).filter(
    (control) => control.outcome !== 'inconclusive' && now - Date.parse(control.at) <= freshnessMs,
  );
  return { fresh: fresh.length, down: fresh.filter((control) => control.outcome === 'down').length };
}

/** How many of the latest rounds, counted back from the newest, share the newest one's judgement. */
function countTrailing(rounds: readonly RoundJudgement[], impaired: boolean): number {
  let count = 0;
  for (let i = rounds.length - 1; i >= 0 && rounds[i]?.impaired === impaired; i--) count++;
  return count;
}

/**
 * This round's judgement from the controls that reported in it: null while at most half of the fresh
 * controls have (undecided), else whether most of them are `down`.
 */
function judgeRound(
  health: VantageHealth,
  roundId: string,
  now: number,
  freshnessMs: number,
): boolean | null {
  const fresh = Object.values(health.controls).filter(
    (control) => control.outcome !== 'inconclusive' && now - Date.parse(control.at) <= freshnessMs,
  );
  const inRound = fresh.filter((control) => control.roundId === roundId);
  if (inRound.length * 2 <= fresh.length) return null;
  return inRound.filter((control) => control.outcome === 'down').length * 2 > inRound.length;
}

function recordRound(rounds: readonly RoundJudgement[], roundId: string, impaired: boolean, keep: number) {
  const known = rounds.some((round) => round.roundId === roundId);
  const next = known
    ? rounds.map((round) => (round.roundId === roundId ? { roundId, impaired } : round))
    : [...rounds, { roundId, impaired }];
  return next.slice(-keep);
}

function draftSignal(
  health: VantageHealth,
  kind: 'escalate' | 'recover',
  event: ProbeCloudEvent,
  counts: { fresh: number; down: number },
  now: Date,
): DecisionDraft {
  const id = health.vantageId;
  const impaired = kind === 'escalate';
  const where = `${event.data.vantage.cloud}${event.data.vantage.region ? ` ${event.data.vantage.region}` : ''}`;
  return {
    kind,
    reason: impaired ? VANTAGE_IMPAIRED_REASON : VANTAGE_RECOVERED_REASON,
    suppressedKind: null,
    incidentKey: `vantage:${id}`,
    updateKey: `vantage:${id}:${health.episode ?? 0}:${kind}`,
    eventId: event.id,
    stale: false,
    decidedAt: now.toISOString(),
    eventTime: event.data.updatedAt,
    status: impaired ? 'open' : 'resolved',
    verdict: impaired ? 'vantage-impaired' : null,
    stage: null,
    title: impaired
      ? `Vantage ${id} (${where}) impaired: ${counts.down} of ${counts.fresh} control targets outside Microsoft fail`
      : `Vantage ${id} (${where}) recovered: its control targets outside Microsoft answer again`,
    severity: impaired ? 'warning' : 'info',
    provider: 'crosswatch',
    category: VANTAGE_CATEGORY,
  };
}

/**
 * Records a control target's result on its vantage (newer results only) and returns the decisions
 * it leads to: at most one `escalate` per impairment and one `recover` after it.
 */
export async function recordControlResult(
  store: StateStore,
  event: ProbeCloudEvent,
  now: Date,
  config: EngineConfig,
): Promise<Decision[]> {
  const data = event.data;
  const { openAfterConsecutive, resolveAfterConsecutive } = config.probe;
  const keep = Math.max(openAfterConsecutive, resolveAfterConsecutive);
  let decisions: Decision[] = [];
  await updateItem<VantageHealth>(
    store,
    COLLECTIONS.vantages,
    data.vantage.id,
    (current) => {
      decisions = [];
      const previous = current?.controls[data.target.id];
      if (previous && Date.parse(previous.at) >= Date.parse(data.updatedAt)) return undefined;
      const base: VantageHealth = {
        ...current,
        vantageId: data.vantage.id,
        controls: {
          ...current?.controls,
          [data.target.id]: { outcome: data.outcome, at: data.updatedAt, roundId: data.roundId },
        },
      };
      const impaired = judgeRound(base, data.roundId, now.getTime(), config.verdict.freshnessMs);
      if (impaired === null) return base;
      const counts = countFreshControls(base, now.getTime(), config.verdict.freshnessMs);
      const rounds = recordRound(current?.rounds ?? [], data.roundId, impaired, keep);
      const trailing = countTrailing(rounds, impaired);
      let next: VantageHealth = { ...base, rounds };
      const drafts: DecisionDraft[] = [];
      if (impaired && !current?.escalated && trailing >= openAfterConsecutive) {
        next = { ...next, escalated: true, episode: (current?.episode ?? 0) + 1 };
        drafts.push(draftSignal(next, 'escalate', event, counts, now));
      } else if (!impaired && current?.escalated && trailing >= resolveAfterConsecutive) {
        next = { ...next, escalated: false };
        drafts.push(draftSignal(next, 'recover', event, counts, now));
      }
      let seq = current?.decisionSeq ?? 0;
      decisions = drafts.map((draft) => createDecision({ ...draft, seq: ++seq }));
      return {
        ...next,
        decisionSeq: seq,
        journal: [...(current?.journal ?? []), ...decisions].slice(-config.journalSize),
      };
    },
    { maxAttempts: config.maxWriteAttempts },
  );
  await recordDecisions(store, decisions, config);
  return decisions;
}

/** Ids of the vantages impaired at `now`. */
export async function listImpairedVantages(
  store: StateStore,
  now: Date,
  freshnessMs: number,
): Promise<Set<string>> {
  const impaired = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await store.list<VantageHealth>(COLLECTIONS.vantages, {
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const item of page.items) {
      if (isImpaired(item.value, now.getTime(), freshnessMs)) impaired.add(item.value.vantageId);
    }
    cursor = page.cursor;
  } while (cursor);
  return impaired;
}

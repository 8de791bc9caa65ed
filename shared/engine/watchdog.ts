/**
 * The watchdog (dead-man's switch): every deployment records heartbeats; each deployment checks its
 * peers (the AWS side watches Azure and the reverse). A peer whose latest heartbeat is older than
 * `watchdog.staleAfterMs` (or that was never heard of since the first check) gets one `escalate`
 * (reason `watchdog-stale`) per staleness episode; its next heartbeat, or a check that finds it
 * fresh, records `recover` (reason `watchdog-recovered`). One document per deployment in
 * `heartbeats`, conditional writes, so several checkers decide once.
 */
import { type StateStore, updateItem } from '../store/ports.ts';
import type { Decision, DecisionDraft } from './decision.ts';
import { createDecision } from './decision.ts';
import { recordDecisions } from './decision-log.ts';
import { COLLECTIONS } from './engine-collections.ts';
import type { EngineConfig } from './engine-config.ts';

export interface HeartbeatRecord {
  readonly deploymentId: string;
  readonly lastHeartbeatAt: string | null;
  /** When a checker first looked for this peer (the reference while no heartbeat was seen). */
  readonly firstCheckedAt: string | null;
  readonly stale: boolean;
  readonly episode: number;
  readonly decisionSeq: number;
  readonly journal: Decision[];
}

export interface WatchdogDeps {
  readonly store: StateStore;
  readonly now: Date;
  readonly config: EngineConfig;
}

function empty(deploymentId: string): HeartbeatRecord {
  return {
    deploymentId,
    lastHeartbeatAt: null,
    firstCheckedAt: null,
    stale: false,
    episode: 0,
    decisionSeq: 0,
    journal: [],
  };
}

function draft(record: HeartbeatRecord, kind: 'escalate' | 'recover', now: Date): DecisionDraft {
  const stale = kind === 'escalate';
  return {
    kind,
    reason: stale ? 'watchdog-stale' : 'watchdog-recovered',
    suppressedKind: null,
    incidentKey: `watchdog:${record.deploymentId}`,
    updateKey: `watchdog:${record.deploymentId}:${record.episode}:${kind}`,
    eventId: null,
    stale: false,
    decidedAt: now.toISOString(),
    eventTime: record.lastHeartbeatAt,
    status: stale ? 'open' : 'resolved',
    verdict: null,
    stage: null,
    title: stale
      ? `Deployment ${record.deploymentId} stopped sending heartbeats`
      : `Deployment ${record.deploymentId} is sending heartbeats again`,
    severity: stale ? 'critical' : 'info',
    provider: null,
    category: null,
  };
}

async function commit(
  deps: WatchdogDeps,
  deploymentId: string,
  mutate: (current: HeartbeatRecord) => { next: HeartbeatRecord; drafts: DecisionDraft[] } | undefined,
): Promise<Decision[]> {
  let decisions: Decision[] = [];
  await updateItem<HeartbeatRecord>(
    deps.store,
    COLLECTIONS.heartbeats,
    deploymentId,
    (current) => {
      decisions = [];
      const result = mutate(current ?? empty(deploymentId));
      if (!result) return undefined;
      let seq = result.next.decisionSeq;
      decisions = result.drafts.map((d) => createDecision({ ...d, seq: ++seq }));
      return {
        ...result.next,
        decisionSeq: seq,
        journal: [...result.next.journal, ...decisions].slice(-deps.config.journalSize),
      };
    },
    { maxAttempts: deps.config.maxWriteAttempts },
  );
  await recordDecisions(deps.store, decisions, deps.config);
  return decisions;
}

/** Records a heartbeat of `deploymentId` at `at`; a stale deployment recovers. */
export async function recordHeartbeat(
  input: { readonly deploymentId: string; readonly at: Date },
  deps: WatchdogDeps,
): Promise<Decision[]> {
  const at = input.at.toISOString();
  return commit(deps, input.deploymentId, (current) => {
    if (current.lastHeartbeatAt !== null && Date.parse(current.lastHeartbeatAt) >= input.at.getTime()) {
      return undefined;
    }
    const next = { ...current, lastHeartbeatAt: at };
    const fresh = deps.now.getTime() - input.at.getTime() <= deps.config.watchdog.staleAfterMs;
    if (!current.stale || !fresh) return { next, drafts: [] };
    return { next: { ...next, stale: false }, drafts: [draft(next, 'recover', deps.now)] };
  });
}

/** Checks each peer's heartbeat age at `now`; returns the stale/recovered decisions. */
export async function checkPeers(
  input: { readonly peers: readonly string[]; readonly staleAfterMs?: number },
  deps: WatchdogDeps,
): Promise<Decision[]> {
  const staleAfterMs = input.staleAfterMs ?? deps.config.watchdog.staleAfterMs;
  const now = deps.now.toISOString();
  const decisions: Decision[] = [];
  for (const peer of input.peers) {
    decisions.push(
      ...(await commit(deps, peer, (current) => {
        const firstCheckedAt = current.firstCheckedAt ?? now;
        const reference = current.lastHeartbeatAt ?? firstCheckedAt;
        const stale = deps.now.getTime() - Date.parse(reference) > staleAfterMs;
        const next = { ...current, firstCheckedAt };
        if (stale && !current.stale) {
          const episode = { ...next, stale: true, episode: current.episode + 1 };
          return { next: episode, drafts: [draft(episode, 'escalate', deps.now)] };
        }
        if (!stale && current.stale)
          return { next: { ...next, stale: false }, drafts: [draft(next, 'recover', deps.now)] };
        return current.firstCheckedAt === null ? { next, drafts: [] } : undefined;
      })),
    );
  }
  return decisions;
}

export async function getHeartbeat(
  store: StateStore,
  deploymentId: string,
): Promise<HeartbeatRecord | undefined> {
  return (await store.get<HeartbeatRecord>(COLLECTIONS.heartbeats, deploymentId))?.value;
}

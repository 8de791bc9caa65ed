/**
 * The cross-cloud dead-man's switch. Each deployment records its own heartbeat on a timer and
 * publishes it in its status document (mesh/status-document.ts). A watchdog pulls each peer's
 * status when it has a status URL (mesh/mesh-peer.ts) — a peer that sends its probe results records
 * its heartbeat with every batch (receive-peer-batch.ts) — and lets the engine
 * decide (engine/watchdog.ts): a peer whose heartbeat is older than `watchdog.staleAfterMs` —
 * because its timers stopped, its store is down, or it cannot be reached at all — escalates
 * `watchdog-stale` once, through this deployment's own sinks (which is the point: the AWS side
 * alerts through SNS/SES/Slack while Azure is impaired).
 */
import type { Decision } from '../engine/decision.ts';
import { checkPeers, recordHeartbeat } from '../engine/watchdog.ts';
import { type MeshPeer, type PeerPull, pullPeerStatus } from '../mesh/mesh-peer.ts';
import { handleDecisions } from './handle-decisions.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export interface WatchOutcome {
  readonly pulls: readonly PeerPull[];
  readonly decisions: readonly Decision[];
  readonly queued: number;
}

/** This deployment's own heartbeat, the one its status document publishes. */
export async function recordOwnHeartbeat(deploymentId: string, deps: PipelineDeps): Promise<Date> {
  const at = deps.now();
  await recordHeartbeat({ deploymentId, at }, { store: deps.store, now: at, config: deps.engine });
  return at;
}

export async function watchPeers(
  peers: readonly MeshPeer[],
  deps: PipelineDeps,
  options: { readonly fetch?: typeof fetch; readonly timeoutMs?: number } = {},
): Promise<WatchOutcome> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pulls = await Promise.all(peers.map((peer) => pullPeerStatus(peer, doFetch, timeoutMs)));
  const engineDeps = { store: deps.store, now: deps.now(), config: deps.engine };
  const decisions: Decision[] = [];
  for (const pull of pulls) {
    if (pull.lastHeartbeatAt !== null) {
      decisions.push(
        ...(await recordHeartbeat(
          { deploymentId: pull.peer, at: new Date(pull.lastHeartbeatAt) },
          engineDeps,
        )),
      );
    }
    const fields = {
      peer: pull.peer,
      reachable: pull.reachable,
      reason: pull.reason,
      lastHeartbeatAt: pull.lastHeartbeatAt,
    };
    if (pull.reachable) deps.logger.info('peer status pulled', fields);
    else deps.logger.warn('peer status unreachable', fields);
  }
  decisions.push(...(await checkPeers({ peers: peers.map((peer) => peer.id) }, engineDeps)));
  return { pulls, decisions, queued: await handleDecisions(decisions, deps) };
}

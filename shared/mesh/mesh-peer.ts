/**
 * A mesh peer: another crosswatch deployment (the Azure app, the AWS stack, a self-hosted runner)
 * this one exchanges probe results and heartbeats with (docs/mesh.md). Configured in `mesh.peers`
 * (CROSSWATCH_PEERS on Azure and AWS, a Key Vault reference or a Secrets Manager reference there).
 *
 *   url        where this deployment POSTs its probe results after each round (signed), or null when
 *              the peer cannot be reached from here (a runner behind NAT: it still sends to us);
 *   secret     the Standard Webhooks secret both sides share: it signs what we send and identifies
 *              what the peer sends us; null when we only watch its status;
 *   statusUrl  the peer's status document, whose heartbeat the watchdog pulls; null when it pushes;
 *   allowPrivate  the mesh URL may be a loopback, private, CGNAT or link-local address (a peer on
 *              the same network); otherwise the peer sink's SSRF guard refuses it.
 */
import { readPath } from '../util/read.ts';

export interface MeshPeer {
  readonly id: string;
  readonly url: string | null;
  readonly secret: string | null;
  readonly statusUrl: string | null;
  readonly allowPrivate?: boolean;
}

/** Vantages a verdict can count on: this deployment's own, plus one per peer that sends results. */
export function countExpectedVantages(peers: readonly MeshPeer[]): number {
  return 1 + peers.filter((peer) => peer.secret !== null).length;
}

/** The default quorum: a majority of the expected vantages (alone 1, two deployments 2, three 2). */
export function computeDefaultQuorum(peers: readonly MeshPeer[]): number {
  return Math.floor(countExpectedVantages(peers) / 2) + 1;
}

export interface PeerPull {
  readonly peer: string;
  readonly reachable: boolean;
  /** HTTP status or error class; never the URL. */
  readonly reason: string | null;
  readonly lastHeartbeatAt: string | null;
}

/** Pulls one peer's status document and reads its heartbeat; never throws, never names the URL. */
export async function pullPeerStatus(
  peer: MeshPeer,
  doFetch: typeof fetch,
  timeoutMs: number,
): Promise<PeerPull> {
  if (peer.statusUrl === null)
    return { peer: peer.id, reachable: true, reason: 'push', lastHeartbeatAt: null };
  try {
    const response = await doFetch(peer.statusUrl, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { peer: peer.id, reachable: false, reason: `HTTP ${response.status}`, lastHeartbeatAt: null };
    }
    // A status document (status-document.ts); only its heartbeat is read.
    const at = readPath(await response.json(), 'heartbeat', 'lastHeartbeatAt');
    const valid = typeof at === 'string' && !Number.isNaN(Date.parse(at));
    return {
      peer: peer.id,
      reachable: true,
      reason: valid ? null : 'no heartbeat in status',
      lastHeartbeatAt: valid ? at : null,
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return { peer: peer.id, reachable: false, reason: name, lastHeartbeatAt: null };
  }
}

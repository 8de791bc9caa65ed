/**
 * The deployments a deployment watches (its peers) and how a peer's status is pulled. Each
 * deployment publishes a status document (status-document.ts) with its latest heartbeat; a watchdog
 * pulls every peer's document over the public internet. A peer without a status URL pushes instead.
 */
import type { StatusDocument } from './status-document.ts';

export interface PeerSpec {
  readonly id: string;
  /** The peer's status URL (may carry a function key: never logged), or null when it pushes. */
  readonly statusUrl: string | null;
}

const PEER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** `azure=https://app.azurewebsites.net/api/status?code=…,eu-probe` → peers; throws naming the bad entry. */
export function parsePeers(value: string | undefined): PeerSpec[] {
  if (value === undefined || value.trim() === '') return [];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index) => {
      const eq = part.indexOf('=');
      const id = (eq < 0 ? part : part.slice(0, eq)).trim();
      const url = eq < 0 ? null : part.slice(eq + 1).trim();
      if (!PEER_ID.test(id)) throw new TypeError(`peer ${index + 1}: invalid deployment id`);
      if (url !== null && !/^https?:\/\//.test(url))
        throw new TypeError(`peer ${id}: the status URL must be http(s)`);
      return { id, statusUrl: url };
    });
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
  peer: PeerSpec,
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
    const document = (await response.json()) as Partial<StatusDocument>;
    const at = document.heartbeat?.lastHeartbeatAt;
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

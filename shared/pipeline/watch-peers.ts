/**
 * The cross-cloud dead-man's switch. Each deployment records its own heartbeat on a timer and
 * publishes it in its status document (`GET /api/status` on Azure). A watchdog pulls each peer's
 * status over the public internet, records the peer's latest heartbeat in its own store, and lets
 * the engine decide (shared/engine/watchdog.ts): a peer whose heartbeat is older than
 * `watchdog.staleAfterMs` — because its timers stopped, its store is down, or it cannot be reached
 * at all — escalates `watchdog-stale` once, through this deployment's own sinks (which is the point:
 * the AWS side alerts through SNS/SES/Slack while Azure is impaired).
 */
import type { Decision } from '../engine/decision.ts';
import { checkPeers, recordHeartbeat } from '../engine/watchdog.ts';
import { enqueueNotifications } from '../notify/enqueue-notifications.ts';
import { type PipelineDeps, reportDecisions } from './pipeline-deps.ts';

/** What a deployment's status endpoint returns (Azure `status` function). */
export interface StatusDocument {
  readonly deploymentId: string;
  readonly generatedAt: string;
  readonly heartbeat: { readonly lastHeartbeatAt: string | null };
  readonly openIncidents: readonly StatusIncident[];
}

export interface StatusIncident {
  readonly incidentKey: string;
  readonly kind: string;
  readonly provider: string;
  readonly category: string;
  readonly severity: string;
  readonly title: string;
  readonly services: readonly string[];
  readonly regions: readonly string[];
  readonly openedAt: string | null;
  readonly lastChangedAt: string;
  readonly verdict: string | null;
}

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

async function pullPeer(peer: PeerSpec, doFetch: typeof fetch, timeoutMs: number): Promise<PeerPull> {
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

export interface WatchOutcome {
  readonly pulls: readonly PeerPull[];
  readonly decisions: readonly Decision[];
  readonly queued: number;
}

export async function watchPeers(
  peers: readonly PeerSpec[],
  deps: PipelineDeps,
  options: { readonly fetch?: typeof fetch; readonly timeoutMs?: number } = {},
): Promise<WatchOutcome> {
  const doFetch = options.fetch ?? fetch;
  const pulls = await Promise.all(peers.map((peer) => pullPeer(peer, doFetch, options.timeoutMs ?? 10_000)));
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
  reportDecisions(decisions, deps);
  const enqueued = await enqueueNotifications(decisions, {
    store: deps.store,
    routing: deps.routing,
    now: deps.now,
  });
  return { pulls, decisions, queued: enqueued.created.length };
}

/**
 * The outbox sink of a mesh peer (`peer:<id>`): POSTs a peer batch to the peer's mesh route, signed per
 * Standard Webhooks with the secret both deployments share (`webhook-id` is the delivery id, the same
 * on every retry, so the receiver's dedupe sees one batch). The outbox gives it what every sink gets:
 * its own queue in round order, retries with backoff, dead letters — so a peer that is down costs the
 * others nothing and catches up when it returns. Redirects are never followed; the peer's URL and
 * secret never appear in a detail. The URL passes the same SSRF guard as every sink and the
 * connection is pinned to the checked address (guarded-post.ts): a peer on a loopback, private,
 * CGNAT or link-local address needs the peer's `allowPrivate`; a metadata address is never reached.
 */

import type { PayloadMessage, Sink } from '../notify/sink.ts';
import { classifyHttpReply } from '../notify/sinks/classify-http-reply.ts';
import { postGuarded } from '../notify/sinks/guarded-post.ts';
import { summarizeBody } from '../notify/sinks/post-json.ts';
import type { LookupFunction } from '../notify/ssrf-guard.ts';
import { createRedactor, listUrlSecrets } from '../observability/redact.ts';
import { signStandardWebhook } from '../util/standard-webhook-signature.ts';
import type { MeshPeer } from './mesh-peer.ts';

export const PEER_SINK_PREFIX = 'peer:';

/**
 * A peer's queue holds one batch per round, oldest first, and the oldest holds back the rest: it is
 * retried every minute at most (the batches behind it go as soon as the peer answers) for as long as
 * an hour, never given up for a count of attempts. Older than that, a batch could not count for a
 * verdict any more (the receiver drops results past its freshness window anyway) and is dropped.
 */
export const PEER_RETRY = { maxAttempts: 1_000_000, maxAgeMs: 60 * 60_000, maxDelayMs: 60_000 } as const;
export const MESH_USER_AGENT = 'crosswatch-mesh/1';

export function toPeerSinkName(peerId: string): string {
  return `${PEER_SINK_PREFIX}${peerId}`;
}

/** The peers this deployment sends its results to: those with a mesh URL and a secret. */
export function listSendingPeers(peers: readonly MeshPeer[]): (MeshPeer & { url: string; secret: string })[] {
  return peers.filter((peer): peer is MeshPeer & { url: string; secret: string } =>
    Boolean(peer.url && peer.secret),
  );
}

export interface PeerSinkDeps {
  readonly now: () => Date;
  /** A stand-in for the network (tests): the guard still checks the peer's address; not pinned. */
  readonly fetch?: typeof fetch | undefined;
  /** DNS resolution for the guard (all addresses of a name). */
  readonly lookup?: LookupFunction | undefined;
}

export function createPeerSink(
  peer: MeshPeer & { readonly url: string; readonly secret: string },
  deps: PeerSinkDeps,
): Sink<PayloadMessage> {
  // The URLs' parts too: a function key or token in a query is a secret on its own.
  const redact = createRedactor([
    ...listUrlSecrets(peer.url),
    peer.secret,
    ...(peer.statusUrl ? listUrlSecrets(peer.statusUrl) : []),
  ]);
  // The mesh URL's scheme is checked by the configuration (http or https).
  const policy = { allowInsecure: true, allowPrivate: peer.allowPrivate === true, lookup: deps.lookup };
  return {
    name: toPeerSinkName(peer.id),
    kind: 'peer',
    rateLimit: null,
    retry: PEER_RETRY,
    async send(message, context) {
      if (message.kind !== 'payload')
        return { outcome: 'permanent', status: null, detail: 'refused: not a peer batch' };
      const timestamp = Math.floor(deps.now().getTime() / 1000);
      const posted = await postGuarded({
        fetch: deps.fetch,
        policy,
        url: peer.url,
        body: message.body,
        signal: context.signal,
        redact,
        headers: {
          'user-agent': MESH_USER_AGENT,
          'webhook-id': context.deliveryId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(peer.secret, context.deliveryId, timestamp, message.body),
        },
      });
      if (!posted.ok) return posted.result;
      return classifyHttpReply(posted.reply, {
        now: deps.now(),
        attempt: context.attempt,
        throttleBaseMs: 1_000,
        describe: summarizeBody(posted.reply.body, redact),
      });
    },
  };
}

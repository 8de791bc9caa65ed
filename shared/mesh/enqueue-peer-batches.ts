/**
 * After a probe round: one peer batch per sending peer into the outbox (sink `peer:<id>`), under the
 * deterministic id `mesh:<round id>:peer:<id>`, so a redelivered round queues nothing twice. The
 * outbox sends it like any delivery (peer-sink.ts).
 */
import type { ProbeCloudEvent } from '../event/schema.ts';
import { createDelivery, newDeliveryRecord } from '../notify/create-delivery.ts';
import { toDeliveryId, toOrderKey } from '../notify/delivery-record.ts';
import type { PayloadMessage } from '../notify/sink.ts';
import type { StateStore } from '../store/ports.ts';
import type { MeshPeer } from './mesh-peer.ts';
import { createPeerBatch } from './peer-batch.ts';
import { listSendingPeers, toPeerSinkName } from './peer-sink.ts';

export interface EnqueuePeerBatchesDeps {
  readonly store: StateStore;
  readonly peers: readonly MeshPeer[];
  /** This deployment's id: the receivers know it as `mesh.peers[].id`. */
  readonly deploymentId: string;
  readonly now: () => Date;
}

/** Queues this round's own results for every sending peer; returns how many batches were queued. */
export async function enqueuePeerBatches(
  round: { readonly roundId: string; readonly events: readonly ProbeCloudEvent[] },
  deps: EnqueuePeerBatchesDeps,
): Promise<number> {
  const peers = listSendingPeers(deps.peers);
  if (peers.length === 0) return 0;
  const at = deps.now();
  const batch = createPeerBatch({
    from: deps.deploymentId,
    sentAt: at,
    roundId: round.roundId,
    events: round.events,
  });
  const message: PayloadMessage = {
    kind: 'payload',
    title: `${round.events.length} probe result(s) of round ${round.roundId} from ${deps.deploymentId}`,
    incidentKey: `mesh:${deps.deploymentId}`,
    updateKey: `mesh:${round.roundId}`,
    decidedAt: batch.sentAt,
    body: JSON.stringify(batch),
  };
  const decisionId = `mesh:${round.roundId}`;
  let queued = 0;
  for (const peer of peers) {
    const sink = toPeerSinkName(peer.id);
    const record = newDeliveryRecord({
      id: toDeliveryId(decisionId, sink),
      decision: { id: decisionId, incidentKey: `mesh:${peer.id}` },
      sink,
      orderKey: toOrderKey(batch.sentAt, null, 0),
      rule: 'mesh',
      fallback: [],
      fallbackOf: null,
      message,
      now: at,
    });
    if (await createDelivery(deps.store, record)) queued++;
  }
  return queued;
}

/**
 * The peer batch: what one deployment POSTs to a mesh peer after a probe round — its own probe-result
 * CloudEvents of that round, who sent them and when. Received results are ingested as the sending
 * vantage's results and never forwarded again: only a deployment's own round is ever batched
 * (pipeline/run-probe-round.ts), every batch says `hops: 1`, and a receiver drops results of its own
 * vantage (an echo), so A→B→A cannot happen. Types and the sender check only: the webhook ingress
 * imports this at start; the full validation (parse-peer-batch.ts) loads with the pipeline.
 */
import type { ProbeCloudEvent } from '../event/schema.ts';
import { isRecord } from '../util/read.ts';

export const PEER_BATCH_KIND = 'crosswatch.peer-batch' as const;
/** A round of a few hundred targets fits; anything larger is not a batch crosswatch sent. */
export const MAX_BATCH_EVENTS = 2_000;

export interface PeerBatch {
  readonly kind: typeof PEER_BATCH_KIND;
  /** The sending deployment's id (the receiver's `mesh.peers[].id` for it). */
  readonly from: string;
  readonly sentAt: string;
  /** Always 1: a batch carries only the sender's own results, never ones it received. */
  readonly hops: 1;
  readonly roundId: string | null;
  readonly events: readonly ProbeCloudEvent[];
}

export function createPeerBatch(fields: {
  readonly from: string;
  readonly sentAt: Date;
  readonly roundId: string | null;
  readonly events: readonly ProbeCloudEvent[];
}): PeerBatch {
  return {
    kind: PEER_BATCH_KIND,
    from: fields.from,
    sentAt: fields.sentAt.toISOString(),
    hops: 1,
    roundId: fields.roundId,
    events: fields.events,
  };
}

/** Just who sent it (checked against the peer the signature identified, before anything is stored). */
export function readBatchSender(document: unknown): string | null {
  return isRecord(document) && document.kind === PEER_BATCH_KIND && typeof document.from === 'string'
    ? document.from
    : null;
}

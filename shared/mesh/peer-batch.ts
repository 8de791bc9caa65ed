/**
 * The peer batch: what one deployment POSTs to a mesh peer after a probe round — its own probe-result
 * CloudEvents of that round, who sent them and when. Received results are ingested as the sending
 * vantage's results and never forwarded again: only a deployment's own round is ever batched
 * (pipeline/run-probe-round.ts), every batch says `hops: 1`, and a receiver drops results of its own
 * vantage (an echo), so A→B→A cannot happen.
 */
import type { Evidence, ProbeCloudEvent } from '../event/schema.ts';
import { EVENT_TYPES } from '../event/vocabulary.ts';
import { InvalidInputError } from '../ingest/errors.ts';
import { probeResultFormat } from '../ingest/probe-result.ts';
import { isRecord } from '../util/read.ts';
import { toIsoUtc } from '../util/time.ts';

export const PEER_BATCH_KIND = 'crosswatch.peer-batch' as const;
const FORMAT = 'peer-batch';
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

function fail(field: string, problem: string): never {
  throw new InvalidInputError(FORMAT, field, problem);
}

/**
 * Validates a received batch and rebuilds its events through the probe-result input format (every
 * field checked; the event ids come out the same as the sender's, since they derive from the update
 * key). Throws InvalidInputError naming the first bad field.
 */
export function parsePeerBatch(
  document: unknown,
  context: { readonly receivedAt: Date; readonly evidence: Evidence | null },
): { readonly from: string; readonly sentAt: string; readonly events: ProbeCloudEvent[] } {
  if (!isRecord(document) || document.kind !== PEER_BATCH_KIND) fail('kind', `must be ${PEER_BATCH_KIND}`);
  const { from, hops, events } = document;
  if (typeof from !== 'string' || from === '') fail('from', 'is missing or not a non-empty string');
  if (hops !== 1) fail('hops', 'must be 1 (results are never forwarded)');
  const sentAt = toIsoUtc(document.sentAt) ?? fail('sentAt', 'is missing or not an ISO 8601 time');
  if (!Array.isArray(events)) fail('events', 'must be a list');
  if (events.length > MAX_BATCH_EVENTS) fail('events', `holds more than ${MAX_BATCH_EVENTS} results`);
  events.forEach((event, index) => {
    if (!isRecord(event) || event.type !== EVENT_TYPES.probeResult)
      fail(`events[${index}].type`, `must be ${EVENT_TYPES.probeResult}`);
  });
  if (events.length === 0) return { from, sentAt, events: [] };
  const normalized = probeResultFormat.normalize(events, {
    receivedAt: context.receivedAt.toISOString(),
    evidence: context.evidence,
  });
  return { from, sentAt, events: normalized.events as ProbeCloudEvent[] };
}

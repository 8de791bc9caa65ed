/**
 * Validating a received peer batch (peer-batch.ts): every field checked, and the results rebuilt
 * through the probe-result input format, so the event ids come out the same as the sender's (they
 * derive from the update key).
 */
import type { Evidence, ProbeCloudEvent } from '../event/schema.ts';
import { EVENT_TYPES } from '../event/vocabulary.ts';
import { InvalidInputError } from '../ingest/errors.ts';
import { probeResultFormat } from '../ingest/probe-result.ts';
import { isRecord } from '../util/read.ts';
import { toIsoUtc } from '../util/time.ts';
import { MAX_BATCH_EVENTS, PEER_BATCH_KIND } from './peer-batch.ts';

const FORMAT = 'peer-batch';

function fail(field: string, problem: string): never {
  throw new InvalidInputError(FORMAT, field, problem);
}

/** Validates a received batch and rebuilds its events; throws InvalidInputError naming the first bad field. */
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

/**
 * A batch of accepted inputs taken off an inbox, processed together: every entry is normalized, the
 * raw bytes of the batch are archived with one `putMany`, all their events are decided by ONE engine
 * call (one read and one conditional write per incident for the whole batch, see
 * engine/process-event.ts), and the notifications of the batch are queued at once. The same input
 * twice in a batch (the same bytes redelivered) is processed once.
 *
 * Outcomes per entry: processed, or rejected (bad input, never retried: the caller settles it as
 * failed). A transient failure (the store is down) throws for the whole batch; nothing is settled, so
 * every entry is taken again later, and since every step is idempotent (content-addressed evidence,
 * updateKey dedupe, deterministic decision and delivery ids) nothing is decided or sent twice.
 *
 * Mesh peer batches (source `mesh`) carry probe results whose order matters; they go through the
 * one-entry path (process-inbox-entry.ts), in their place after the provider inputs of the batch.
 */
import type { Decision } from '../engine/decision.ts';
import { processEvents } from '../engine/process-event.ts';
import type { CrosswatchEvent } from '../event/schema.ts';
import { type InboxEntry, readInboxEntryBytes } from '../inbox/inbox.ts';
import { NormalizeError } from '../ingest/errors.ts';
import { normalizeText } from '../ingest/normalize.ts';
import { handleDecisions } from './handle-decisions.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { processInboxEntry, RejectedInputError } from './process-inbox-entry.ts';

export interface RejectedInboxEntry {
  readonly entry: InboxEntry;
  readonly reason: string;
}

export interface InboxBatchOutcome {
  /** Entries whose processing is complete (settle them as processed). */
  readonly processed: readonly InboxEntry[];
  /** Entries that can never be processed (settle them as failed with the reason). */
  readonly rejected: readonly RejectedInboxEntry[];
  readonly events: number;
  readonly decisions: readonly Decision[];
  /** Deliveries written to the outbox by this call. */
  readonly queued: number;
}

interface Normalized {
  readonly entry: InboxEntry;
  readonly bytes: Uint8Array;
  readonly format: string;
  readonly events: readonly CrosswatchEvent[];
}

export async function processInboxBatch(
  entries: readonly InboxEntry[],
  deps: PipelineDeps,
): Promise<InboxBatchOutcome> {
  const processed: InboxEntry[] = [];
  const rejected: RejectedInboxEntry[] = [];
  const normalized: Normalized[] = [];
  const mesh: InboxEntry[] = [];
  // The same bytes twice: the first copy is processed, the others are settled as it is.
  const copies = new Map<string, InboxEntry[]>();
  for (const entry of entries) {
    const others = copies.get(entry.id);
    if (others) {
      others.push(entry);
      continue;
    }
    copies.set(entry.id, []);
    if (entry.source === 'mesh') {
      mesh.push(entry);
      continue;
    }
    const bytes = readInboxEntryBytes(entry);
    try {
      const result = normalizeText(bytes, { now: () => new Date(entry.receivedAt) });
      normalized.push({ entry, bytes, format: result.format, events: result.events });
    } catch (error) {
      if (!(error instanceof NormalizeError)) throw error;
      rejected.push({ entry, reason: error.message });
    }
  }
  if (deps.evidence && normalized.length > 0) {
    await deps.evidence.putMany(
      normalized.map((item) => ({
        bytes: item.bytes,
        contentType: item.entry.contentType || 'application/json',
        kind: `input:${item.format}`,
      })),
    );
  }
  const events = normalized.flatMap((item) => item.events);
  const decisions: Decision[] =
    events.length === 0
      ? []
      : await processEvents(events, { store: deps.store, now: deps.now, config: deps.engine });
  let queued = await handleDecisions(decisions, deps);
  processed.push(...normalized.map((item) => item.entry));
  let eventCount = events.length;
  for (const entry of mesh) {
    try {
      const outcome = await processInboxEntry(entry, deps);
      decisions.push(...outcome.decisions);
      queued += outcome.queued;
      eventCount += outcome.events;
      processed.push(entry);
    } catch (error) {
      if (!(error instanceof RejectedInputError)) throw error;
      rejected.push({ entry, reason: error.message });
    }
  }
  return {
    processed: processed.flatMap((entry) => [entry, ...(copies.get(entry.id) ?? [])]),
    rejected: rejected.flatMap((item) => [
      item,
      ...(copies.get(item.entry.id) ?? []).map((entry) => ({ entry, reason: item.reason })),
    ]),
    events: eventCount,
    decisions,
    queued,
  };
}

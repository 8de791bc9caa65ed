/**
 * The one path from an accepted webhook input to the outbox, used by the local runner, Azure and
 * AWS alike: inbox entry → normalizeText → evidence archive → processEvents → enqueueNotifications.
 * The evidence archived is the entry's raw bytes, byte for byte, so its hash is the inbox id.
 *
 * Every step is idempotent (the evidence archive is content-addressed, the engine dedupes by
 * updateKey, deliveries have deterministic ids), so an entry processed twice after a crash changes
 * nothing the second time. Bad input (NormalizeError) is permanent: the entry is settled as failed
 * and kept; anything else (the store is down) is transient and the entry stays pending.
 */
import type { Decision } from '../engine/decision.ts';
import { processEvents } from '../engine/process-event.ts';
import { type InboxEntry, readInboxEntryBytes } from '../inbox/inbox.ts';
import { NormalizeError } from '../ingest/errors.ts';
import { normalizeText } from '../ingest/normalize.ts';
import { handleDecisions } from './handle-decisions.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { receivePeerBatch } from './receive-peer-batch.ts';

export interface InboxEntryOutcome {
  readonly inboxId: string;
  readonly format: string;
  readonly events: number;
  readonly decisions: readonly Decision[];
  /** Deliveries written to the outbox by this call. */
  readonly queued: number;
  /** Set when the input is a known format crosswatch deliberately ignores. */
  readonly ignored: string | null;
}

/** The entry cannot ever be processed (not JSON, unknown format, missing field). */
export class RejectedInputError extends Error {
  override name = 'RejectedInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export async function processInboxEntry(entry: InboxEntry, deps: PipelineDeps): Promise<InboxEntryOutcome> {
  // The bytes as received (a body that is not valid UTF-8 included): the evidence is what was sent.
  const bytes = readInboxEntryBytes(entry);
  if (entry.source === 'mesh') return processPeerBatchEntry(entry, bytes, deps);
  let normalized: ReturnType<typeof normalizeText>;
  try {
    normalized = normalizeText(bytes, { now: () => new Date(entry.receivedAt) });
  } catch (error) {
    if (error instanceof NormalizeError) throw new RejectedInputError(error.message, { cause: error });
    throw error;
  }
  if (deps.evidence) {
    await deps.evidence.put(bytes, {
      contentType: entry.contentType || 'application/json',
      kind: `input:${normalized.format}`,
    });
  }
  const decisions =
    normalized.events.length === 0
      ? []
      : await processEvents(normalized.events, { store: deps.store, now: deps.now, config: deps.engine });
  const queued = await handleDecisions(decisions, deps);
  return {
    inboxId: entry.id,
    format: normalized.format,
    events: normalized.events.length,
    decisions,
    queued,
    ignored: normalized.ignored ?? null,
  };
}

/** A mesh peer's batch (source `mesh`): a malformed one is rejected like any bad input. */
async function processPeerBatchEntry(
  entry: InboxEntry,
  bytes: Uint8Array,
  deps: PipelineDeps,
): Promise<InboxEntryOutcome> {
  try {
    const outcome = await receivePeerBatch(entry, bytes, deps);
    return {
      inboxId: entry.id,
      format: 'peer-batch',
      events: outcome.events,
      decisions: outcome.decisions,
      queued: outcome.queued,
      ignored: null,
    };
  } catch (error) {
    if (error instanceof NormalizeError || error instanceof SyntaxError)
      throw new RejectedInputError(error.message, { cause: error });
    throw error;
  }
}

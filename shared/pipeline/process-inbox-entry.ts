/**
 * The one path from an accepted webhook input to the outbox, used by the local runner, Azure and
 * AWS alike: inbox entry → normalizeText → evidence archive → processEvents → enqueueNotifications.
 *
 * Every step is idempotent (the evidence archive is content-addressed, the engine dedupes by
 * updateKey, deliveries have deterministic ids), so an entry processed twice after a crash changes
 * nothing the second time. Bad input (NormalizeError) is permanent: the entry is settled as failed
 * and kept; anything else (the store is down) is transient and the entry stays pending.
 */
import type { Decision } from '../engine/decision.ts';
import { processEvents } from '../engine/process-event.ts';
import type { InboxEntry, InboxQueue } from '../inbox/inbox.ts';
import { NormalizeError } from '../ingest/errors.ts';
import { normalizeText } from '../ingest/normalize.ts';
import { enqueueNotifications } from '../notify/enqueue-notifications.ts';
import { type PipelineDeps, reportDecisions } from './pipeline-deps.ts';

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
  const bytes = Buffer.from(entry.body, 'utf8');
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
  reportDecisions(decisions, deps);
  const enqueued = await enqueueNotifications(decisions, {
    store: deps.store,
    routing: deps.routing,
    now: deps.now,
    ...(deps.statusPageBaseUrl ? { statusPageBaseUrl: deps.statusPageBaseUrl } : {}),
  });
  return {
    inboxId: entry.id,
    format: normalized.format,
    events: normalized.events.length,
    decisions,
    queued: enqueued.created.length,
    ignored: normalized.ignored ?? null,
  };
}

export interface DrainInboxSummary {
  readonly processed: number;
  readonly rejected: number;
  /** A transient failure stopped the pass (the entry stays pending); its message. */
  readonly stoppedBy: string | null;
}

/**
 * Processes pending entries oldest first until none is left (or `limit` were taken). A rejected
 * input is settled as failed; a transient error stops the pass so the entry is retried next time.
 */
export async function drainInbox(
  inbox: InboxQueue,
  deps: PipelineDeps,
  options: { readonly limit?: number; readonly signal?: AbortSignal } = {},
): Promise<DrainInboxSummary> {
  let processed = 0;
  let rejected = 0;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  while (processed + rejected < limit && !options.signal?.aborted) {
    const batch = await inbox.listPending(Math.min(100, limit - processed - rejected));
    if (batch.length === 0) break;
    for (const entry of batch) {
      try {
        const outcome = await processInboxEntry(entry, deps);
        await inbox.markProcessed(entry.id, deps.now());
        processed++;
        deps.logger.debug('inbox entry processed', {
          inboxId: entry.id,
          format: outcome.format,
          events: outcome.events,
          queued: outcome.queued,
        });
      } catch (error) {
        if (error instanceof RejectedInputError) {
          await inbox.markProcessed(entry.id, deps.now(), error.message);
          rejected++;
          deps.logger.warn('inbox entry rejected', {
            inboxId: entry.id,
            source: entry.source,
            error: error.message,
          });
          continue;
        }
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        deps.logger.error('inbox processing failed, will retry', { inboxId: entry.id, error: message });
        return { processed, rejected, stoppedBy: message };
      }
    }
  }
  return { processed, rejected, stoppedBy: null };
}

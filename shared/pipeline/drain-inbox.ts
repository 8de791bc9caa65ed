/**
 * The local runner's inbox loop: pending SQLite entries taken in batches (process-inbox-batch.ts:
 * one evidence write, one engine call, one outbox write per batch) and then settled together.
 *
 * Two lanes, so a new alert is never stuck behind a flood. Each pass takes the NEWEST pending
 * entries (the fast lane, when the inbox offers `listNewestPending`) together with the OLDEST (the
 * backlog), newest first. A new incident posted behind 20,000 retries and duplicates is therefore
 * decided in the very next pass, while the backlog keeps draining from its head. This is safe
 * because the engine does not depend on arrival order: an incident's distinct updates give the same
 * decisions in any order (update-order.ts), and duplicates are settled by updateKey. Mesh peer
 * batches (probe results, whose order does matter) only ever leave through the backlog lane.
 *
 * A rejected input is settled as failed; a transient error stops the pass with every entry of the
 * batch still pending (retried next time; processing is idempotent).
 */
import type { InboxEntry, InboxQueue } from '../inbox/inbox.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { processInboxBatch } from './process-inbox-batch.ts';

/** Entries per pass, both lanes together. */
export const DRAIN_BATCH_SIZE = 500;
/** At most this many of a pass's entries come from the fast lane (the newest). */
export const FAST_LANE_SIZE = 100;

/** An inbox the drain can also read from the newest end and settle in bulk (the SQLite inbox). */
export interface DrainableInbox extends InboxQueue {
  /** Pending entries, newest first, at most `limit`. */
  listNewestPending?(limit: number): Promise<InboxEntry[]>;
  /** Settles many entries as processed in one operation. */
  markProcessedMany?(ids: readonly string[], at: Date): Promise<void>;
}

export interface DrainInboxSummary {
  readonly processed: number;
  readonly rejected: number;
  /** Deliveries queued by what was processed. */
  readonly queued: number;
  /** A transient failure stopped the pass (the entries stay pending); its message. */
  readonly stoppedBy: string | null;
}

/** The fast lane's entries (no mesh batches), then the backlog's, each entry once. */
async function takeBatch(inbox: DrainableInbox, size: number): Promise<InboxEntry[]> {
  const fast = inbox.listNewestPending
    ? (await inbox.listNewestPending(Math.min(FAST_LANE_SIZE, Math.ceil(size / 5)))).filter(
        (entry) => entry.source !== 'mesh',
      )
    : [];
  const oldest = await inbox.listPending(size);
  const batch: InboxEntry[] = [];
  // The lanes meet when the backlog is short: a row listed by both is taken once.
  const seen = new Set<string>();
  for (const entry of [...fast, ...oldest]) {
    const key = `${entry.id}|${entry.receivedAt}`;
    if (seen.has(key)) continue;
    seen.add(key);
    batch.push(entry);
    if (batch.length >= size) break;
  }
  return batch;
}

async function settleProcessed(inbox: DrainableInbox, ids: readonly string[], at: Date): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  if (inbox.markProcessedMany) await inbox.markProcessedMany(unique, at);
  else await Promise.all(unique.map((id) => inbox.markProcessed(id, at)));
}

/** Processes pending entries in batches until none is left (or `limit` were taken). */
export async function drainInbox(
  inbox: DrainableInbox,
  deps: PipelineDeps,
  options: { readonly limit?: number; readonly signal?: AbortSignal; readonly batchSize?: number } = {},
): Promise<DrainInboxSummary> {
  let processed = 0;
  let rejected = 0;
  let queued = 0;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const batchSize = options.batchSize ?? DRAIN_BATCH_SIZE;
  while (processed + rejected < limit && !options.signal?.aborted) {
    const batch = await takeBatch(inbox, Math.min(batchSize, limit - processed - rejected));
    if (batch.length === 0) break;
    try {
      const outcome = await processInboxBatch(batch, deps);
      const at = deps.now();
      await Promise.all([
        settleProcessed(
          inbox,
          outcome.processed.map((entry) => entry.id),
          at,
        ),
        ...outcome.rejected.map(async ({ entry, reason }) => {
          deps.logger.warn('inbox entry rejected', {
            inboxId: entry.id,
            source: entry.source,
            error: reason,
          });
          await inbox.markProcessed(entry.id, at, reason);
        }),
      ]);
      processed += outcome.processed.length;
      rejected += outcome.rejected.length;
      queued += outcome.queued;
      deps.logger.debug('inbox batch processed', {
        entries: batch.length,
        events: outcome.events,
        decisions: outcome.decisions.length,
        queued: outcome.queued,
      });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      deps.logger.error('inbox processing failed, will retry', {
        entries: batch.length,
        firstInboxId: batch[0]?.id,
        error: message,
      });
      return { processed, rejected, queued, stoppedBy: message };
    }
  }
  return { processed, rejected, queued, stoppedBy: null };
}

/**
 * The local runner's inbox loop: pending SQLite entries, oldest first, each handled like any other
 * runtime's input (handle-inbox-entry.ts) and then marked processed. A rejected input is settled as
 * failed; a transient error stops the pass so the entry is retried next time.
 */
import type { InboxQueue } from '../inbox/inbox.ts';
import { handleInboxEntry } from './handle-inbox-entry.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export interface DrainInboxSummary {
  readonly processed: number;
  readonly rejected: number;
  /** A transient failure stopped the pass (the entry stays pending); its message. */
  readonly stoppedBy: string | null;
}

/** Processes pending entries oldest first until none is left (or `limit` were taken). */
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
        const handled = await handleInboxEntry(entry, deps, {
          settleRejected: (rejected, reason) => inbox.markProcessed(rejected.id, deps.now(), reason),
        });
        if (handled.kind === 'rejected') {
          rejected++;
          continue;
        }
        await inbox.markProcessed(entry.id, deps.now());
        processed++;
        deps.logger.debug('inbox entry processed', {
          inboxId: entry.id,
          format: handled.outcome.format,
          events: handled.outcome.events,
          queued: handled.outcome.queued,
        });
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        deps.logger.error('inbox processing failed, will retry', { inboxId: entry.id, error: message });
        return { processed, rejected, stoppedBy: message };
      }
    }
  }
  return { processed, rejected, stoppedBy: null };
}

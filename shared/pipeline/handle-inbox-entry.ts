/**
 * What every runtime does with one accepted input taken off its inbox (an Azure queue message, an
 * SQS record, an AWS Health event, a pending SQLite row): process it (process-inbox-entry.ts), record
 * an input that can never be processed as a failed entry — listable, never retried — and, when it
 * queued notifications, send them right away. A transient failure (the store is down) is thrown, so
 * the platform retries the input.
 */
import { createStoreInbox, type InboxEntry } from '../inbox/inbox.ts';
import type { OutboxWorkerDeps } from '../notify/outbox-worker.ts';
import { sendQueuedNotifications } from './deliver-notifications.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { type InboxEntryOutcome, processInboxEntry, RejectedInputError } from './process-inbox-entry.ts';

export interface HandleInboxEntryOptions {
  /**
   * Settles a rejected input as failed. Default: kept as a failed entry in the store's inbox (the
   * cloud queues); the local runner marks its pending SQLite row instead.
   */
  readonly settleRejected?: (entry: InboxEntry, reason: string) => Promise<void>;
  /** The outbox for one pass right after notifications were queued; left out, they wait for the worker. */
  readonly sendNow?: () => Promise<OutboxWorkerDeps>;
}

export type HandledInboxEntry =
  | { readonly kind: 'processed'; readonly outcome: InboxEntryOutcome }
  | { readonly kind: 'rejected'; readonly reason: string };

export async function handleInboxEntry(
  entry: InboxEntry,
  deps: PipelineDeps,
  options: HandleInboxEntryOptions = {},
): Promise<HandledInboxEntry> {
  let outcome: InboxEntryOutcome;
  try {
    outcome = await processInboxEntry(entry, deps);
  } catch (error) {
    if (!(error instanceof RejectedInputError)) throw error;
    if (options.settleRejected) await options.settleRejected(entry, error.message);
    else {
      const inbox = createStoreInbox(deps.store);
      await inbox.put(entry);
      await inbox.markProcessed(entry.id, deps.now(), error.message);
    }
    deps.logger.warn('inbox entry rejected', {
      inboxId: entry.id,
      source: entry.source,
      error: error.message,
    });
    return { kind: 'rejected', reason: error.message };
  }
  if (outcome.queued > 0 && options.sendNow) await sendQueuedNotifications(await options.sendNow(), deps);
  return { kind: 'processed', outcome };
}

/**
 * What every runtime does with one accepted input taken off its inbox (an Azure queue message, an
 * SQS record, an AWS Health event, a pending SQLite row): process it (process-inbox-entry.ts), record
 * an input that can never be processed as a failed entry — listable, never retried — and, when it
 * queued notifications, send them right away. A transient failure (the store is down) is thrown, so
 * the platform retries the input.
 */
import { createStoreInbox, type InboxEntry, type InboxQueue } from '../inbox/inbox.ts';
import type { OutboxRunSummary, OutboxWorkerDeps } from '../notify/outbox-worker.ts';
import { sendQueuedNotifications } from './deliver-notifications.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { type InboxEntryOutcome, processInboxEntry, RejectedInputError } from './process-inbox-entry.ts';

export interface HandleInboxEntryOptions {
  /** Where a rejected input is settled as failed (default: the store's inbox, for the cloud queues). */
  readonly rejects?: Pick<InboxQueue, 'put' | 'markProcessed'>;
  /** The outbox for one pass right after notifications were queued; left out, they wait for the worker. */
  readonly sendNow?: () => Promise<OutboxWorkerDeps>;
  /** The rejected entry is already in `rejects` (a pending SQLite row): it is only marked. */
  readonly alreadyStored?: boolean;
}

export type HandledInboxEntry =
  | {
      readonly kind: 'processed';
      readonly outcome: InboxEntryOutcome;
      readonly sent: OutboxRunSummary | null;
    }
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
    const rejects = options.rejects ?? createStoreInbox(deps.store);
    if (!options.alreadyStored) await rejects.put(entry);
    await rejects.markProcessed(entry.id, deps.now(), error.message);
    deps.logger.warn('inbox entry rejected', {
      inboxId: entry.id,
      source: entry.source,
      error: error.message,
    });
    return { kind: 'rejected', reason: error.message };
  }
  const sent =
    outcome.queued > 0 && options.sendNow
      ? await sendQueuedNotifications(await options.sendNow(), deps)
      : null;
  return { kind: 'processed', outcome, sent };
}

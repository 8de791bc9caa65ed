/**
 * `processInbox` (Storage Queue trigger on %CROSSWATCH_INBOX_QUEUE%, connection CROSSWATCH_STORAGE):
 * accepted webhook inputs → normalize → evidence → engine → outbox, then one outbox pass so the
 * notifications leave now rather than at the next `deliver` tick.
 *
 * Opportunistic batches: the trigger hands over one message, so the function takes up to 31 more
 * straight off the queue (inbox/azure-queue-receiver.ts, invisible for a visibility timeout) and
 * processes them all as ONE batch (pipeline/process-inbox-batch.ts: one evidence write, one engine
 * call with one read and one conditional write per incident, one outbox write). A storm of duplicate
 * inputs then costs a few Table Storage round trips per 32 messages instead of several per message.
 * After the batch the extra messages are deleted (the host deletes the trigger's own when the
 * function returns); a failed delete only means the message is processed again later, harmlessly.
 * If the queue cannot be read, the trigger's message is processed alone as before.
 *
 * Input that can never be processed is never retried: an unknown provider format is settled as a
 * failed entry in the store inbox (listable), a message that is not a crosswatch inbox message is
 * kept in the evidence archive — for the extra messages exactly as for the trigger's, and then
 * deleted. A transient failure of the batch (the store is down) settles nothing and deletes no extra
 * message: they come back after the visibility timeout, and the trigger's message is processed alone
 * (handle-inbox-entry.ts), so a failure there throws, the host retries the message and after
 * host.json's maxDequeueCount moves it to `<queue>-poison` (see `inboxPoison`). A message the host
 * is about to give up on is never taken into a batch (the receiver leaves it to the host).
 */
import { app, type InvocationContext } from '@azure/functions';
import type { AzureQueueReceiver, ReceivedQueueMessage } from '../../shared/inbox/azure-queue-receiver.ts';
import { createStoreInbox, type InboxEntry } from '../../shared/inbox/inbox.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import { sendQueuedNotifications } from '../../shared/pipeline/deliver-notifications.ts';
import { handleInboxEntry } from '../../shared/pipeline/handle-inbox-entry.ts';
import type { PipelineDeps } from '../../shared/pipeline/pipeline-deps.ts';
import { type InboxBatchOutcome, processInboxBatch } from '../../shared/pipeline/process-inbox-batch.ts';
import { readQueueMessage, runInvocation } from './app-context.ts';

/** The trigger's message plus these many taken off the queue: 32, one receive call's limit. */
export const INBOX_BATCH_EXTRAS = 31;

const UNREADABLE = 'inbox message unreadable';

/** Up to INBOX_BATCH_EXTRAS more messages; none when the queue cannot be read (logged). */
async function receiveExtras(
  receiver: AzureQueueReceiver | null,
  logger: Logger,
): Promise<ReceivedQueueMessage[]> {
  try {
    return receiver ? await receiver.receive(INBOX_BATCH_EXTRAS) : [];
  } catch (error) {
    logger.warn('inbox batch: no extra messages received', { error });
    return [];
  }
}

/** The trigger's entry and the extras' as one batch, rejected inputs settled; throws if transient. */
async function processBatch(
  entry: InboxEntry,
  extras: readonly ReceivedQueueMessage[],
  deps: PipelineDeps,
): Promise<InboxBatchOutcome & { readonly unreadable: number }> {
  const entries = [entry];
  for (const extra of extras) {
    const decoded = await readQueueMessage(extra.text, deps, UNREADABLE);
    if (decoded) entries.push(decoded);
  }
  const outcome = await processInboxBatch(entries, deps);
  const inbox = createStoreInbox(deps.store);
  for (const { entry: rejected, reason } of outcome.rejected) {
    await inbox.put(rejected);
    await inbox.markProcessed(rejected.id, deps.now(), reason);
    deps.logger.warn('inbox entry rejected', {
      inboxId: rejected.id,
      source: rejected.source,
      error: reason,
    });
  }
  return { ...outcome, unreadable: extras.length + 1 - entries.length };
}

export async function processInbox(message: unknown, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ logger, metrics, pipeline, outbox, app }) => {
    const deps = await pipeline();
    // A message that is not a crosswatch inbox message is never retried into success.
    const entry = await readQueueMessage(message, deps, UNREADABLE);
    if (!entry) return;
    const receiver = await app.inboxReceiver();
    const extras = await receiveExtras(receiver, logger);
    if (receiver && extras.length > 0) {
      let outcome: Awaited<ReturnType<typeof processBatch>> | null = null;
      try {
        outcome = await processBatch(entry, extras, deps);
      } catch (error) {
        // Nothing settled and no extra deleted: they come back after the visibility timeout.
        logger.warn('inbox batch failed, processing the trigger message alone', {
          records: extras.length + 1,
          error,
        });
      }
      if (outcome) {
        const removed = await receiver.remove(extras);
        logger.info('inbox batch processed', {
          records: extras.length + 1,
          unreadable: outcome.unreadable,
          rejected: outcome.rejected.length,
          events: outcome.events,
          decisions: outcome.decisions.length,
          queued: outcome.queued,
          removed: removed.removed,
          ...(removed.failed > 0 ? { notRemoved: removed.failed } : {}),
        });
        // One pass for the whole batch; the deliveries are durable and the deliver schedule retries them.
        if (outcome.queued > 0) await sendQueuedNotifications(await outbox(), { logger, metrics });
        return;
      }
    }
    // The notifications are durable once queued; a failed send is retried by the deliver timer.
    const handled = await handleInboxEntry(entry, deps, { sendNow: outbox });
    if (handled.kind === 'processed') {
      logger.info('inbox entry processed', {
        inboxId: entry.id,
        format: handled.outcome.format,
        events: handled.outcome.events,
        decisions: handled.outcome.decisions.length,
        queued: handled.outcome.queued,
      });
    }
  });
}

app.storageQueue('processInbox', {
  queueName: '%CROSSWATCH_INBOX_QUEUE%',
  connection: 'CROSSWATCH_STORAGE',
  handler: processInbox,
});

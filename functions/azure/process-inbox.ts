/**
 * `processInbox` (Storage Queue trigger on %CROSSWATCH_INBOX_QUEUE%, connection CROSSWATCH_STORAGE):
 * one accepted webhook input → normalize → evidence → engine → outbox, then one outbox pass so the
 * notifications leave now rather than at the next `deliver` tick. Input that can never be processed
 * is never retried: an unknown provider format is settled as a failed entry in the store inbox
 * (listable), a message that is not a crosswatch inbox message is kept in the evidence archive; a transient failure throws, the host retries the message and after
 * host.json's maxDequeueCount moves it to `<queue>-poison` (see `inboxPoison`).
 */
import { app, type InvocationContext } from '@azure/functions';
import { handleInboxEntry } from '../../shared/pipeline/handle-inbox-entry.ts';
import { readQueueMessage, runInvocation } from './app-context.ts';

export async function processInbox(message: unknown, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ logger, pipeline, outbox }) => {
    const deps = await pipeline();
    // A message that is not a crosswatch inbox message is never retried into success.
    const entry = await readQueueMessage(message, deps, 'inbox message unreadable');
    if (!entry) return;
    // The notifications are durable once queued; a failed send is retried by the deliver timer.
    const handled = await handleInboxEntry(entry, deps, { sendNow: outbox });
    if (handled.kind === 'processed') {
      logger.info('inbox entry processed', {
        inboxId: entry.id,
        format: handled.outcome.format,
        events: handled.outcome.events,
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

/**
 * `processInbox` (Storage Queue trigger on %CROSSWATCH_INBOX_QUEUE%, connection CROSSWATCH_STORAGE):
 * one accepted webhook input → normalize → evidence → engine → outbox, then one outbox pass so the
 * notifications leave now rather than at the next `deliver` tick. Input that can never be processed
 * is never retried: an unknown provider format is settled as a failed entry in the store inbox
 * (listable), a message that is not a crosswatch inbox message is kept in the evidence archive; a transient failure throws, the host retries the message and after
 * host.json's maxDequeueCount moves it to `<queue>-poison` (see `inboxPoison`).
 */
import { app, type InvocationContext } from '@azure/functions';
import { decodeInboxMessage, InvalidQueueMessageError } from '../../shared/inbox/queue-inbox-message.ts';
import { handleInboxEntry } from '../../shared/pipeline/handle-inbox-entry.ts';
import { keepUnreadableMessage, runInvocation } from './app-context.ts';

export async function processInbox(message: unknown, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ logger, metrics, pipeline, outbox }) => {
    const deps = await pipeline();
    let entry: Awaited<ReturnType<typeof decodeInboxMessage>>;
    try {
      entry = await decodeInboxMessage(message, deps.evidence ? { overflow: deps.evidence } : {});
    } catch (error) {
      if (!(error instanceof InvalidQueueMessageError)) throw error;
      // Never retried into success: kept as evidence and counted as a dead letter right away.
      const kept = await keepUnreadableMessage(message, deps, metrics);
      logger.error('inbox message unreadable', { reason: error.message, evidence: kept });
      return;
    }
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

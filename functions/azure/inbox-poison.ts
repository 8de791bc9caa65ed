/**
 * `inboxPoison` (Storage Queue trigger on %CROSSWATCH_INBOX_QUEUE%-poison): a message the host gave
 * up on after maxDequeueCount attempts becomes a dead letter — a failed entry in the store inbox
 * (listable, and re-processable once the cause is fixed) — plus an error log line and a
 * `inbox.dead_letter` metric to alert on. Nothing is lost in a log line only.
 */
import { app, type InvocationContext } from '@azure/functions';
import { createStoreInbox } from '../../shared/inbox/inbox.ts';
import { decodeInboxMessage, InvalidQueueMessageError } from '../../shared/inbox/queue-inbox-message.ts';
import { keepUnreadableMessage, runInvocation } from './app-context.ts';

export async function inboxPoison(message: unknown, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ logger, metrics, pipeline }) => {
    const deps = await pipeline();
    let entry: Awaited<ReturnType<typeof decodeInboxMessage>>;
    try {
      entry = await decodeInboxMessage(message, deps.evidence ? { overflow: deps.evidence } : {});
    } catch (error) {
      if (!(error instanceof InvalidQueueMessageError)) throw error;
      const kept = await keepUnreadableMessage(message, deps, metrics);
      logger.error('poison inbox message is unreadable', { reason: error.message, evidence: kept });
      return;
    }
    const inbox = createStoreInbox(deps.store);
    await inbox.put(entry);
    await inbox.markProcessed(entry.id, deps.now(), 'poison: processing failed on every attempt');
    metrics.count('inbox.dead_letter', { source: entry.source });
    logger.error('inbox entry dead-lettered', { inboxId: entry.id, source: entry.source });
  });
}

app.storageQueue('inboxPoison', {
  queueName: '%CROSSWATCH_INBOX_QUEUE%-poison',
  connection: 'CROSSWATCH_STORAGE',
  handler: inboxPoison,
});

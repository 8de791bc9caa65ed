/**
 * `inboxPoison` (Storage Queue trigger on %CROSSWATCH_INBOX_QUEUE%-poison): a message the host gave
 * up on after maxDequeueCount attempts becomes a dead letter — a failed entry in the store inbox
 * (listable, and re-processable once the cause is fixed) — plus an error log line and a
 * `inbox.dead_letter` metric to alert on. Nothing is lost in a log line only.
 */
import { app, type InvocationContext } from '@azure/functions';
import { createStoreInbox } from '../../shared/inbox/inbox.ts';
import { readQueueMessage, runInvocation } from './app-context.ts';

export async function inboxPoison(message: unknown, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ logger, metrics, pipeline }) => {
    const deps = await pipeline();
    const entry = await readQueueMessage(message, deps, 'poison inbox message is unreadable');
    if (!entry) return;
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

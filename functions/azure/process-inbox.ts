/**
 * `processInbox` (Storage Queue trigger on %CROSSWATCH_INBOX_QUEUE%, connection CROSSWATCH_STORAGE):
 * one accepted webhook input → normalize → evidence → engine → outbox, then one outbox pass so the
 * notifications leave now rather than at the next `deliver` tick. Input that can never be processed
 * is never retried: an unknown provider format is settled as a failed entry in the store inbox
 * (listable), a message that is not a crosswatch inbox message is kept in the evidence archive; a transient failure throws, the host retries the message and after
 * host.json's maxDequeueCount moves it to `<queue>-poison` (see `inboxPoison`).
 */
import { app, type InvocationContext } from '@azure/functions';
import { createStoreInbox } from '../../shared/inbox/inbox.ts';
import { decodeInboxMessage, InvalidQueueMessageError } from '../../shared/inbox/queue-inbox-message.ts';
import { runOutboxOnce } from '../../shared/notify/outbox-worker.ts';
import { processInboxEntry, RejectedInputError } from '../../shared/pipeline/process-inbox-entry.ts';
import { keepUnreadableMessage, runInvocation } from './app-context.ts';

export async function processInbox(message: unknown, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ app: appContext, logger, metrics, pipeline }) => {
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
    try {
      const outcome = await processInboxEntry(entry, deps);
      logger.info('inbox entry processed', {
        inboxId: entry.id,
        format: outcome.format,
        events: outcome.events,
        queued: outcome.queued,
      });
      if (outcome.queued > 0) {
        // The notifications are durable already; a failed pass is retried by the deliver timer.
        const sent = await runOutboxOnce({
          store: deps.store,
          sinks: await appContext.runtime.sinks(),
          settings: appContext.runtime.config.notify.outbox,
          now: deps.now,
          logger,
          ...(deps.evidence ? { evidence: deps.evidence } : {}),
        }).catch((error: unknown) => {
          logger.warn('outbox pass failed', { error });
          return undefined;
        });
        if (sent)
          logger.info('outbox pass', { delivered: sent.delivered, retried: sent.retried, dead: sent.dead });
      }
    } catch (error) {
      if (!(error instanceof RejectedInputError)) throw error;
      const inbox = createStoreInbox(deps.store);
      await inbox.put(entry);
      await inbox.markProcessed(entry.id, deps.now(), error.message);
      logger.warn('inbox entry rejected', { inboxId: entry.id, source: entry.source, error: error.message });
    }
  });
}

app.storageQueue('processInbox', {
  queueName: '%CROSSWATCH_INBOX_QUEUE%',
  connection: 'CROSSWATCH_STORAGE',
  handler: processInbox,
});

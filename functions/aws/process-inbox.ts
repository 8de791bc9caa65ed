/**
 * `processInbox` (SQS event source on the inbox queue, with `ReportBatchItemFailures`): each record
 * is one accepted webhook input → normalize → evidence → engine → outbox, processed independently;
 * only the records that failed are reported in `batchItemFailures`, so SQS redelivers just those
 * and, after the queue's maxReceiveCount, moves them to its dead-letter queue (alarm on its depth).
 * An input of no known provider format can never succeed: it is settled as a failed entry in the
 * store inbox (listable) and not reported. After the batch, one outbox pass sends the notifications.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createStoreInbox } from '../../shared/inbox/inbox.ts';
import { decodeInboxMessage } from '../../shared/inbox/queue-inbox-message.ts';
import { runOutboxOnce } from '../../shared/notify/outbox-worker.ts';
import { processInboxEntry, RejectedInputError } from '../../shared/pipeline/process-inbox-entry.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';

registerHandlerDefaults({ createSinks: createNotifySinks });

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return runLambda(context, async ({ app, logger, metrics, pipeline }) => {
    const deps = await pipeline();
    const failures: { itemIdentifier: string }[] = [];
    let queued = 0;
    for (const record of event.Records) {
      try {
        const entry = await decodeInboxMessage(record.body, deps.evidence ? { overflow: deps.evidence } : {});
        try {
          const outcome = await processInboxEntry(entry, deps);
          queued += outcome.queued;
          logger.info('inbox entry processed', {
            messageId: record.messageId,
            inboxId: entry.id,
            events: outcome.events,
          });
        } catch (error) {
          if (!(error instanceof RejectedInputError)) throw error;
          const inbox = createStoreInbox(deps.store);
          await inbox.put(entry);
          await inbox.markProcessed(entry.id, deps.now(), error.message);
          logger.warn('inbox entry rejected', {
            messageId: record.messageId,
            inboxId: entry.id,
            error: error.message,
          });
        }
      } catch (error) {
        failures.push({ itemIdentifier: record.messageId });
        metrics.count('inbox.record_failed', { queue: 'inbox' });
        logger.error('inbox record failed', {
          messageId: record.messageId,
          receiveCount: record.attributes.ApproximateReceiveCount,
          error,
        });
      }
    }
    if (queued > 0) {
      const sent = await runOutboxOnce({
        store: deps.store,
        sinks: await app.runtime.sinks(),
        settings: app.runtime.config.notify.outbox,
        now: deps.now,
        logger,
        ...(deps.evidence ? { evidence: deps.evidence } : {}),
      }).catch((error: unknown) => {
        // The deliveries are durable; the deliver schedule retries them.
        logger.warn('outbox pass failed', { error });
        return undefined;
      });
      if (sent)
        logger.info('outbox pass', { delivered: sent.delivered, retried: sent.retried, dead: sent.dead });
    }
    return { batchItemFailures: failures };
  });
}

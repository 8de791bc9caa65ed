/**
 * `processInbox` (SQS event source on the inbox queue, with `ReportBatchItemFailures`): each record
 * is one accepted webhook input → normalize → evidence → engine → outbox, processed independently;
 * only the records that failed are reported in `batchItemFailures`, so SQS redelivers just those
 * and, after the queue's maxReceiveCount, moves them to its dead-letter queue (alarm on its depth).
 * An input of no known provider format can never succeed: it is settled as a failed entry in the
 * store inbox (listable) and not reported. After the batch, one outbox pass sends the notifications.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { decodeInboxMessage } from '../../shared/inbox/queue-inbox-message.ts';
import { sendQueuedNotifications } from '../../shared/pipeline/deliver-notifications.ts';
import { handleInboxEntry } from '../../shared/pipeline/handle-inbox-entry.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';

registerHandlerDefaults({ createSinks: createNotifySinks });

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return runLambda(context, async ({ logger, metrics, pipeline, outbox }) => {
    const deps = await pipeline();
    const failures: { itemIdentifier: string }[] = [];
    let queued = 0;
    for (const record of event.Records) {
      try {
        const entry = await decodeInboxMessage(record.body, deps.evidence ? { overflow: deps.evidence } : {});
        const handled = await handleInboxEntry(entry, deps);
        if (handled.kind === 'processed') {
          queued += handled.outcome.queued;
          logger.info('inbox entry processed', {
            messageId: record.messageId,
            inboxId: entry.id,
            events: handled.outcome.events,
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
    // One pass for the whole batch; the deliveries are durable and the deliver schedule retries them.
    if (queued > 0) await sendQueuedNotifications(await outbox(), { logger, metrics });
    return { batchItemFailures: failures };
  });
}

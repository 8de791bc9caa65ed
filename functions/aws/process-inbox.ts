/**
 * `processInbox` (SQS event source on the inbox queue, with `ReportBatchItemFailures`): the records
 * of one invocation are accepted webhook inputs, processed as ONE batch (process-inbox-batch.ts: one
 * evidence write, one engine call with one read and one conditional write per incident, one outbox
 * write), so a storm of duplicates costs a few DynamoDB round trips per batch instead of several per
 * record. An input of no known provider format can never succeed: it is settled as a failed entry in
 * the store inbox (listable) and not reported. If the batch fails (the store is down, one record
 * breaks something), the records are processed one by one, so only the ones that fail are reported
 * in `batchItemFailures`: SQS redelivers just those and, after the queue's maxReceiveCount, moves
 * them to its dead-letter queue (alarm on its depth). After the batch, one outbox pass sends the
 * notifications.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createStoreInbox, type InboxEntry } from '../../shared/inbox/inbox.ts';
import { decodeInboxMessage } from '../../shared/inbox/queue-inbox-message.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { Metrics } from '../../shared/observability/metrics.ts';
import { sendQueuedNotifications } from '../../shared/pipeline/deliver-notifications.ts';
import { handleInboxEntry } from '../../shared/pipeline/handle-inbox-entry.ts';
import type { PipelineDeps } from '../../shared/pipeline/pipeline-deps.ts';
import { processInboxBatch } from '../../shared/pipeline/process-inbox-batch.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';

registerHandlerDefaults({ createSinks: createNotifySinks });

interface Decoded {
  readonly record: SQSRecord;
  readonly entry: InboxEntry;
}

function reportFailure(record: SQSRecord, error: unknown, logger: Logger, metrics: Metrics): void {
  metrics.count('inbox.record_failed', { queue: 'inbox' });
  logger.error('inbox record failed', {
    messageId: record.messageId,
    receiveCount: record.attributes.ApproximateReceiveCount,
    error,
  });
}

/** The whole batch at once; false when it failed (nothing settled: each record is then taken alone). */
async function processTogether(decoded: readonly Decoded[], deps: PipelineDeps, logger: Logger) {
  try {
    const outcome = await processInboxBatch(
      decoded.map((item) => item.entry),
      deps,
    );
    const inbox = createStoreInbox(deps.store);
    for (const { entry, reason } of outcome.rejected) {
      await inbox.put(entry);
      await inbox.markProcessed(entry.id, deps.now(), reason);
      logger.warn('inbox entry rejected', { inboxId: entry.id, source: entry.source, error: reason });
    }
    logger.info('inbox batch processed', {
      records: decoded.length,
      events: outcome.events,
      decisions: outcome.decisions.length,
      queued: outcome.queued,
    });
    return { ok: true as const, queued: outcome.queued };
  } catch (error) {
    logger.warn('inbox batch failed, processing its records one by one', { records: decoded.length, error });
    return { ok: false as const, queued: 0 };
  }
}

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return runLambda(context, async ({ logger, metrics, pipeline, outbox }) => {
    const deps = await pipeline();
    const failures: { itemIdentifier: string }[] = [];
    const decoded: Decoded[] = [];
    for (const record of event.Records) {
      try {
        const entry = await decodeInboxMessage(record.body, deps.evidence ? { overflow: deps.evidence } : {});
        decoded.push({ record, entry });
      } catch (error) {
        failures.push({ itemIdentifier: record.messageId });
        reportFailure(record, error, logger, metrics);
      }
    }
    let queued = 0;
    const together =
      decoded.length > 0 ? await processTogether(decoded, deps, logger) : { ok: true, queued: 0 };
    queued += together.queued;
    if (!together.ok) {
      for (const { record, entry } of decoded) {
        try {
          const handled = await handleInboxEntry(entry, deps);
          if (handled.kind === 'processed') queued += handled.outcome.queued;
        } catch (error) {
          failures.push({ itemIdentifier: record.messageId });
          reportFailure(record, error, logger, metrics);
        }
      }
    }
    // One pass for the whole batch; the deliveries are durable and the deliver schedule retries them.
    if (queued > 0) await sendQueuedNotifications(await outbox(), { logger, metrics });
    // In the order of the event's records, as SQS listed them.
    const order = new Map(event.Records.map((record, index) => [record.messageId, index]));
    failures.sort((a, b) => (order.get(a.itemIdentifier) ?? 0) - (order.get(b.itemIdentifier) ?? 0));
    return { batchItemFailures: failures };
  });
}

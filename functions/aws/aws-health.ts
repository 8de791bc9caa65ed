/**
 * `awsHealth` (EventBridge rule on `source: aws.health`, in the account's region and its backup
 * region): the event goes straight through the pipeline (evidence → normalize → engine → outbox)
 * as an inbox entry of source `aws-health`, then one outbox pass sends the notifications. Backup-region
 * copies and pages are duplicates the engine recognizes. An event of no known shape is logged and
 * kept in the store inbox as failed (never retried); anything else throws so Lambda retries the
 * async invocation and, after its retries, sends it to the on-failure destination.
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { createInboxEntry, createStoreInbox } from '../../shared/inbox/inbox.ts';
import { runOutboxOnce } from '../../shared/notify/outbox-worker.ts';
import { processInboxEntry, RejectedInputError } from '../../shared/pipeline/process-inbox-entry.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';

registerHandlerDefaults({ createSinks: createNotifySinks });

export type AwsHealthEvent = EventBridgeEvent<string, Record<string, unknown>>;

export async function handler(
  event: AwsHealthEvent,
  context: Context,
): Promise<{ decisions: number; queued: number; rejected: boolean }> {
  return runLambda(context, async ({ app, logger, pipeline }) => {
    const deps = await pipeline();
    const entry = createInboxEntry(Buffer.from(JSON.stringify(event), 'utf8'), {
      source: 'aws-health',
      contentType: 'application/json',
      receivedAt: deps.now(),
    });
    try {
      const outcome = await processInboxEntry(entry, deps);
      logger.info('aws health event processed', {
        eventId: event.id,
        eventArn: typeof event.detail?.eventArn === 'string' ? event.detail.eventArn : null,
        decisions: outcome.decisions.length,
        queued: outcome.queued,
      });
      if (outcome.queued > 0) {
        await runOutboxOnce({
          store: deps.store,
          sinks: await app.runtime.sinks(),
          settings: app.runtime.config.notify.outbox,
          now: deps.now,
          logger,
          ...(deps.evidence ? { evidence: deps.evidence } : {}),
        }).catch((error: unknown) => logger.warn('outbox pass failed', { error }));
      }
      return { decisions: outcome.decisions.length, queued: outcome.queued, rejected: false };
    } catch (error) {
      if (!(error instanceof RejectedInputError)) throw error;
      const inbox = createStoreInbox(deps.store);
      await inbox.put(entry);
      await inbox.markProcessed(entry.id, deps.now(), error.message);
      logger.warn('aws health event rejected', { eventId: event.id, error: error.message });
      return { decisions: 0, queued: 0, rejected: true };
    }
  });
}

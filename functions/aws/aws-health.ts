/**
 * `awsHealth` (EventBridge rule on `source: aws.health`, in the account's region and its backup
 * region): the event goes straight through the pipeline (evidence → normalize → engine → outbox)
 * as an inbox entry of source `aws-health`, then one outbox pass sends the notifications. Backup-region
 * copies and pages are duplicates the engine recognizes. An event of no known shape is logged and
 * kept in the store inbox as failed (never retried); anything else throws so Lambda retries the
 * async invocation and, after its retries, sends it to the on-failure destination.
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { createInboxEntry } from '../../shared/inbox/inbox.ts';
import { handleInboxEntry } from '../../shared/pipeline/handle-inbox-entry.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';

registerHandlerDefaults({ createSinks: createNotifySinks });

export type AwsHealthEvent = EventBridgeEvent<string, Record<string, unknown>>;

export async function handler(
  event: AwsHealthEvent,
  context: Context,
): Promise<{ decisions: number; queued: number; rejected: boolean }> {
  return runLambda(context, async ({ logger, pipeline, outbox }) => {
    const deps = await pipeline();
    const entry = createInboxEntry(Buffer.from(JSON.stringify(event), 'utf8'), {
      source: 'aws-health',
      contentType: 'application/json',
      receivedAt: deps.now(),
    });
    const handled = await handleInboxEntry(entry, deps, { sendNow: outbox });
    if (handled.kind === 'rejected') return { decisions: 0, queued: 0, rejected: true };
    logger.info('aws health event processed', {
      eventId: event.id,
      eventArn: typeof event.detail?.eventArn === 'string' ? event.detail.eventArn : null,
      decisions: handled.outcome.decisions.length,
      queued: handled.outcome.queued,
    });
    return { decisions: handled.outcome.decisions.length, queued: handled.outcome.queued, rejected: false };
  });
}

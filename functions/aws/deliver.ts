/**
 * `deliver` (EventBridge Scheduler, every minute): drains the durable outbox within the invocation's
 * remaining time. The outbox owns retries per sink (backoff, Retry-After), ordering and dead letters
 * (listable, redrivable, with fallback chains), so a sink that is down never blocks another; the
 * handlers that create notifications (processInbox, awsHealth, watchdog) already send them once
 * right away, and this schedule picks up everything that is waiting for a retry.
 */
import type { Context } from 'aws-lambda';
import { drainQueuedNotifications } from '../../shared/pipeline/deliver-notifications.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';
import type { ScheduleEvent } from './scheduled-event.ts';

registerHandlerDefaults({ createSinks: createNotifySinks });

export async function handler(
  _event: ScheduleEvent,
  context: Context,
): Promise<{ delivered: number; retried: number; dead: number }> {
  return runLambda(context, async ({ logger, metrics, outbox }) => {
    const budgetMs = Math.max(0, context.getRemainingTimeInMillis() - 15_000);
    const summary = await drainQueuedNotifications(await outbox(), { logger, metrics }, budgetMs);
    return { delivered: summary.delivered, retried: summary.retried, dead: summary.dead };
  });
}

/**
 * `deliver` (EventBridge Scheduler, every minute): drains the durable outbox within the invocation's
 * remaining time. The outbox owns retries per sink (backoff, Retry-After), ordering and dead letters
 * (listable, redrivable, with fallback chains), so a sink that is down never blocks another; the
 * handlers that create notifications (processInbox, awsHealth, watchdog) already send them once
 * right away, and this schedule picks up everything that is waiting for a retry.
 */
import type { Context } from 'aws-lambda';
import { drainOutbox } from '../../shared/notify/outbox-worker.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';
import type { ScheduleEvent } from './scheduled-event.ts';

registerHandlerDefaults({ createSinks: createNotifySinks });

export async function handler(
  _event: ScheduleEvent,
  context: Context,
): Promise<{ delivered: number; retried: number; dead: number }> {
  return runLambda(context, async ({ app, logger, metrics, pipeline }) => {
    const deps = await pipeline();
    const summary = await drainOutbox(
      {
        store: deps.store,
        sinks: await app.runtime.sinks(),
        settings: app.runtime.config.notify.outbox,
        now: deps.now,
        logger,
        ...(deps.evidence ? { evidence: deps.evidence } : {}),
      },
      { untilEmpty: true, maxWaitMs: Math.max(0, context.getRemainingTimeInMillis() - 15_000) },
    );
    for (const sink of summary.sinks) {
      if (sink.delivered > 0)
        metrics.count('notify.delivery', { sink: sink.sink, outcome: 'delivered' }, sink.delivered);
      if (sink.retried > 0) metrics.count('notify.retry', { sink: sink.sink }, sink.retried);
      if (sink.dead > 0) metrics.count('notify.dead_letter', { sink: sink.sink }, sink.dead);
    }
    logger.info('outbox drained', {
      delivered: summary.delivered,
      retried: summary.retried,
      dead: summary.dead,
    });
    return { delivered: summary.delivered, retried: summary.retried, dead: summary.dead };
  });
}

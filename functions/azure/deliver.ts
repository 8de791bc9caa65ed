/**
 * `deliver` (timer, CROSSWATCH_DELIVER_SCHEDULE, e.g. every minute): drains the durable outbox —
 * every sink's due deliveries in order, retries waiting for their backoff or Retry-After inside the
 * invocation's budget — and leaves the rest for the next tick. Deliveries that exhaust their attempts
 * become dead letters in the outbox (listable and redrivable) and fire their fallback chain.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { drainOutbox } from '../../shared/notify/outbox-worker.ts';
import { runInvocation } from './app-context.ts';

/** How long one invocation waits for due retries (well inside host.json's 5-minute timeout). */
export const DELIVER_BUDGET_MS = 50_000;

export async function deliver(_timer: Timer, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ app: appContext, logger, metrics, pipeline }) => {
    const deps = await pipeline();
    const summary = await drainOutbox(
      {
        store: deps.store,
        sinks: await appContext.runtime.sinks(),
        settings: appContext.runtime.config.notify.outbox,
        now: deps.now,
        logger,
        ...(deps.evidence ? { evidence: deps.evidence } : {}),
      },
      { untilEmpty: true, maxWaitMs: DELIVER_BUDGET_MS },
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
  });
}

app.timer('deliver', { schedule: '%CROSSWATCH_DELIVER_SCHEDULE%', handler: deliver });

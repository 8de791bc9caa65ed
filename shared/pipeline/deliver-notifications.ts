/**
 * Sending what the outbox holds, as the runtimes do it: one pass right after new deliveries were
 * queued (so a notification leaves now, not at the next `deliver` tick), or a drain within an
 * invocation's budget (the `deliver` schedule). Each records per-sink metrics and one log line. A
 * failed pass right after queueing is only logged: the deliveries are durable, and the schedule
 * retries them.
 */
import {
  drainOutbox,
  type OutboxRunSummary,
  type OutboxWorkerDeps,
  runOutboxOnce,
} from '../notify/outbox-worker.ts';
import type { Logger } from '../observability/logger.ts';
import { METRIC_NAMES, type Metrics } from '../observability/metrics.ts';

/**
 * Per-sink delivered / retried / dead-letter counts of one run. Sinks wrapped by observeSink count
 * every attempt themselves: then `delivered: false` leaves the delivered count to them.
 */
export function countDeliveries(
  summary: OutboxRunSummary,
  metrics: Metrics,
  options: { readonly delivered?: boolean } = {},
): void {
  for (const sink of summary.sinks) {
    if (sink.delivered > 0 && options.delivered !== false)
      metrics.count(METRIC_NAMES.notifyDelivery, { sink: sink.sink, outcome: 'delivered' }, sink.delivered);
    if (sink.retried > 0) metrics.count(METRIC_NAMES.notifyRetry, { sink: sink.sink }, sink.retried);
    if (sink.dead > 0) metrics.count(METRIC_NAMES.notifyDeadLetter, { sink: sink.sink }, sink.dead);
  }
}

/** One outbox pass now; null when it failed (logged; the deliveries stay queued). */
export async function sendQueuedNotifications(
  deps: OutboxWorkerDeps,
  observe: { readonly logger: Logger; readonly metrics: Metrics },
): Promise<OutboxRunSummary | null> {
  try {
    const sent = await runOutboxOnce(deps);
    countDeliveries(sent, observe.metrics);
    observe.logger.info('outbox pass', { delivered: sent.delivered, retried: sent.retried, dead: sent.dead });
    return sent;
  } catch (error) {
    observe.logger.warn('outbox pass failed', { error });
    return null;
  }
}

/** Every due delivery, waiting for retries up to `maxWaitMs` (the invocation's budget). */
export async function drainQueuedNotifications(
  deps: OutboxWorkerDeps,
  observe: { readonly logger: Logger; readonly metrics: Metrics },
  maxWaitMs: number,
): Promise<OutboxRunSummary> {
  const summary = await drainOutbox(deps, { untilEmpty: true, maxWaitMs });
  countDeliveries(summary, observe.metrics);
  observe.logger.info('outbox drained', {
    delivered: summary.delivered,
    retried: summary.retried,
    dead: summary.dead,
  });
  return summary;
}

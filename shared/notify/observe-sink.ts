/**
 * Wraps a Sink so every delivery attempt leaves one structured log line (incidentKey, updateKey,
 * sink, outcome, attempt, deliveryId, status) and its metrics: `notify.delivery{sink,outcome}` per
 * attempt and, once delivered, `notify.outbox_age_ms{sink}` (decision to delivery). The sink's own
 * `detail` is already redacted by the sink layer; the logger redacts once more.
 */

import type { Logger } from '../observability/logger.ts';
import { METRIC_NAMES, type Metrics } from '../observability/metrics.ts';
import type { OutboxMessage, Sink } from './sink.ts';

export function observeSink<M extends OutboxMessage>(
  sink: Sink<M>,
  deps: { readonly logger: Logger; readonly metrics: Metrics; readonly now: () => Date },
): Sink<M> {
  return {
    name: sink.name,
    kind: sink.kind,
    rateLimit: sink.rateLimit,
    ...(sink.retry ? { retry: sink.retry } : {}),
    async send(message, context) {
      const result = await sink.send(message, context);
      deps.metrics.count(METRIC_NAMES.notifyDelivery, { sink: sink.name, outcome: result.outcome });
      if (result.outcome === 'delivered') {
        const age = deps.now().getTime() - Date.parse(message.decidedAt);
        if (Number.isFinite(age))
          deps.metrics.observe(METRIC_NAMES.notifyOutboxAgeMs, Math.max(0, age), { sink: sink.name });
      }
      const fields = {
        incidentKey: message.incidentKey,
        updateKey: message.updateKey,
        sink: sink.name,
        outcome: result.outcome,
        attempt: context.attempt,
        deliveryId: context.deliveryId,
        status: result.status,
        ...(result.outcome === 'retry-after' ? { retryAfterMs: result.retryAfterMs } : {}),
        ...(result.outcome === 'delivered' ? {} : { detail: result.detail }),
      };
      if (result.outcome === 'delivered') deps.logger.info('delivery attempt', fields);
      else deps.logger.warn('delivery attempt', fields);
      return result;
    },
  };
}

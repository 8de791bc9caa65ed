/**
 * The end of every pipeline path (inbox entries, probe rounds, polls, engine timers, the watchdog):
 * the engine's decisions are reported — one log line and one metric each — and the notifying ones
 * become durable deliveries in the outbox.
 */
import type { Decision } from '../engine/decision.ts';
import { enqueueNotifications } from '../notify/enqueue-notifications.ts';
import { METRIC_NAMES } from '../observability/metrics.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

/** One log line and one metric per decision (duplicates and observations at debug level). */
export function reportDecisions(
  decisions: readonly Decision[],
  deps: Pick<PipelineDeps, 'logger' | 'metrics'>,
): void {
  for (const decision of decisions) {
    deps.metrics.count(METRIC_NAMES.engineDecision, { kind: decision.kind });
    const quiet = decision.kind === 'duplicate' || decision.kind === 'observe';
    const fields = {
      kind: decision.kind,
      reason: decision.reason,
      incidentKey: decision.incidentKey,
      updateKey: decision.updateKey,
      status: decision.status,
      verdict: decision.verdict,
      decisionId: decision.id,
    };
    if (quiet) deps.logger.debug('decision', fields);
    else deps.logger.info('decision', fields);
  }
}

/** Reports the decisions and queues their notifications; returns how many deliveries were written. */
export async function handleDecisions(decisions: readonly Decision[], deps: PipelineDeps): Promise<number> {
  reportDecisions(decisions, deps);
  if (decisions.length === 0) return 0;
  const enqueued = await enqueueNotifications(decisions, {
    store: deps.store,
    routing: deps.routing,
    now: deps.now,
    freshnessMs: deps.engine.verdict.freshnessMs,
    ...(deps.statusPageBaseUrl ? { statusPageBaseUrl: deps.statusPageBaseUrl } : {}),
  });
  return enqueued.created.length;
}

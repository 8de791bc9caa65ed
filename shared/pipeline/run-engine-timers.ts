/**
 * The clock-driven part of the engine, run from a timer: unacknowledged escalations of open probe
 * incidents and, when peers are configured, the watchdog over their heartbeats; decisions go to the
 * outbox like any other.
 */
import type { Decision } from '../engine/decision.ts';
import { evaluateTimers } from '../engine/process-event.ts';
import { enqueueNotifications } from '../notify/enqueue-notifications.ts';
import { type PipelineDeps, reportDecisions } from './pipeline-deps.ts';

export async function runEngineTimers(
  deps: PipelineDeps,
): Promise<{ decisions: readonly Decision[]; queued: number }> {
  const decisions = await evaluateTimers({ store: deps.store, now: deps.now, config: deps.engine });
  reportDecisions(decisions, deps);
  const enqueued = await enqueueNotifications(decisions, {
    store: deps.store,
    routing: deps.routing,
    now: deps.now,
  });
  return { decisions, queued: enqueued.created.length };
}

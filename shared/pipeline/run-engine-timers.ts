/**
 * The clock-driven part of the engine, run from a timer: unacknowledged escalations of open probe
 * incidents and, when peers are configured, the watchdog over their heartbeats; decisions go to the
 * outbox like any other.
 */
import type { Decision } from '../engine/decision.ts';
import { evaluateTimers } from '../engine/process-event.ts';
import { handleDecisions } from './handle-decisions.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export async function runEngineTimers(
  deps: PipelineDeps,
): Promise<{ decisions: readonly Decision[]; queued: number }> {
  const decisions = await evaluateTimers({ store: deps.store, now: deps.now, config: deps.engine });
  return { decisions, queued: await handleDecisions(decisions, deps) };
}

/**
 * The provider-health poll as every runtime runs it: one round over the deployment's pollers
 * (poll/build-pollers.ts, built by the composition root), each source's reachability logged, and the
 * events they find decided by the engine and queued for notification. An unreachable source is
 * reported to the engine, which escalates `health-source-unreachable`.
 */
import { processEvents } from '../engine/process-event.ts';
import { type Poller, type PollRoundSummary, runPollRound } from '../poll/run-poll-round.ts';
import { handleDecisions } from './handle-decisions.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export interface PollOutcome extends PollRoundSummary {
  /** Deliveries written to the outbox. */
  readonly queued: number;
}

export async function pollProviderHealth(
  pollers: readonly Poller[],
  deps: PipelineDeps,
): Promise<PollOutcome> {
  const summary = await runPollRound(pollers, {
    store: deps.store,
    config: deps.engine,
    now: deps.now,
    processEvents: (events) =>
      processEvents(events, { store: deps.store, now: deps.now, config: deps.engine }),
  });
  for (const result of summary.results) {
    const fields = { source: result.source, events: result.events.length, ...result.status };
    if (result.status.reachable) deps.logger.info('health source polled', fields);
    else deps.logger.warn('health source unreachable', fields);
  }
  return { ...summary, queued: await handleDecisions(summary.decisions, deps) };
}

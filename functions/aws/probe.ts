/**
 * `probe` (EventBridge Scheduler, e.g. every minute): one probe round from this AWS vantage through
 * the pipeline. The round id carries the scheduled time from the event, so a retried invocation is
 * the same round (the engine treats its results as redeliveries). Scheduled invocations are async:
 * a thrown error is retried by Lambda and then goes to the schedule's dead-letter queue. The round's
 * results are then sent to the mesh peers at once (signed, through the outbox; `deliver` retries).
 */
import type { Context } from 'aws-lambda';
import { sendQueuedNotifications } from '../../shared/pipeline/deliver-notifications.ts';
import { resolveProbeTargets } from '../../shared/pipeline/resolve-probe-targets.ts';
import { runScheduledProbeRound } from '../../shared/pipeline/run-probe-round.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';
import { readScheduledTime, type ScheduleEvent } from './scheduled-event.ts';

registerHandlerDefaults({ resolveProbeTargets });

export async function handler(
  event: ScheduleEvent,
  context: Context,
): Promise<{ roundId: string; queued: number }> {
  return runLambda(context, async ({ runtime, logger, metrics, pipeline, outbox }) => {
    const { config } = runtime;
    const deps = await pipeline();
    const targets = config.probes.enabled ? (await runtime.probeTargets()).targets : [];
    const scheduledAt = readScheduledTime(event, deps.now());
    // Never past the invocation's own deadline: leave a second to record the results.
    const signal = AbortSignal.timeout(Math.max(1000, context.getRemainingTimeInMillis() - 1000));
    const outcome = await runScheduledProbeRound(
      {
        targets,
        vantage: config.vantage,
        timeoutMs: config.probes.timeoutMs,
        concurrency: config.probes.concurrency,
        scheduledAt: new Date(Math.floor(scheduledAt.getTime() / 60_000) * 60_000),
        signal,
      },
      deps,
    );
    logger.info('probe round', {
      roundId: outcome.summary.roundId,
      targets: outcome.summary.targets,
      counts: outcome.summary.counts,
      queued: outcome.queued,
      peerBatches: outcome.peerBatches,
    });
    // The round's results leave for the mesh peers now (only the peers' sinks: this bundle has no others).
    if (outcome.peerBatches > 0)
      await sendQueuedNotifications(await outbox({ peersOnly: true }), { logger, metrics });
    return { roundId: outcome.summary.roundId, queued: outcome.queued };
  });
}

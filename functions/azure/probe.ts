/**
 * `probe` (timer, schedule from the app setting CROSSWATCH_PROBE_SCHEDULE, NCRONTAB such as
 * `0 * * * * *`): one probe round from this vantage through the pipeline (engine → outbox). The
 * round id carries the scheduled minute, so a redelivered or late (isPastDue) run is the same round
 * and the engine recognizes its results as redeliveries. The round's results are then sent to the
 * mesh peers at once (signed, through the outbox: a peer that is down is retried by `deliver`).
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { sendQueuedNotifications } from '../../shared/pipeline/deliver-notifications.ts';
import { runScheduledProbeRound } from '../../shared/pipeline/run-probe-round.ts';
import { runInvocation, toScheduledMinute } from './app-context.ts';

export async function probe(timer: Timer, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ runtime, logger, metrics, pipeline, outbox }) => {
    const { config } = runtime;
    if (!config.probes.enabled) {
      logger.info('probes disabled');
      return;
    }
    const outcome = await runScheduledProbeRound(
      {
        targets: (await runtime.probeTargets()).targets,
        vantage: config.vantage,
        timeoutMs: config.probes.timeoutMs,
        concurrency: config.probes.concurrency,
        scheduledAt: toScheduledMinute(runtime.now()),
      },
      await pipeline(),
    );
    logger.info('probe round', {
      roundId: outcome.summary.roundId,
      isPastDue: timer.isPastDue,
      targets: outcome.summary.targets,
      counts: outcome.summary.counts,
      queued: outcome.queued,
      peerBatches: outcome.peerBatches,
    });
    // The round's results leave for the mesh peers now, not at the next deliver tick.
    if (outcome.peerBatches > 0)
      await sendQueuedNotifications(await outbox({ peersOnly: true }), { logger, metrics });
  });
}

app.timer('probe', { schedule: '%CROSSWATCH_PROBE_SCHEDULE%', handler: probe });

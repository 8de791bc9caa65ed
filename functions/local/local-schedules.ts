/**
 * The local runner's schedules, each a pipeline job on a loop (schedule-loop.ts): the probe rounds
 * from this vantage, the provider pollers (when configured), the engine's timers, the heartbeat and
 * the watchdog over the peers, and retention. A job that queued notifications nudges the outbox's
 * per-sink loops (`kick`) so they leave at once. A failed run is logged; the next one is tried on schedule.
 */
import { parseSchedule } from '../../shared/config/schedule.ts';
import type { SqliteInbox } from '../../shared/inbox/sqlite-inbox.ts';
import { purgeFinishedDeliveries } from '../../shared/notify/dead-letters.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import type { PipelineDeps } from '../../shared/pipeline/pipeline-deps.ts';
import { pollProviderHealth } from '../../shared/pipeline/poll-provider-health.ts';
import type { ResolvedTargets } from '../../shared/pipeline/resolve-probe-targets.ts';
import { runEngineTimers } from '../../shared/pipeline/run-engine-timers.ts';
import { runScheduledProbeRound } from '../../shared/pipeline/run-probe-round.ts';
import { recordOwnHeartbeat, watchPeers } from '../../shared/pipeline/watch-peers.ts';
import type { Runtime } from '../../shared/runtime/open-runtime.ts';
import { type ScheduleLoop, startScheduleLoop } from './schedule-loop.ts';

const ENGINE_TIMER_SCHEDULE = '60s';
/** Evidence past `evidence.retentionDays`, settled inbox entries and finished deliveries are purged. */
const RETENTION_SCHEDULE = '6h';
const DAY_MS = 24 * 60 * 60_000;
const INBOX_RETENTION_MS = 7 * DAY_MS;

export interface LocalSchedulesDeps {
  readonly runtime: Runtime<SqliteInbox>;
  readonly pipeline: PipelineDeps;
  readonly logger: Logger;
  /** Wakes the outbox's per-sink loops (notifications were queued). */
  readonly kick: () => void;
}

export interface LocalSchedules {
  readonly loops: readonly ScheduleLoop[];
  /** The probe targets (null when probes are disabled). */
  readonly targets: ResolvedTargets | null;
}

function onError(logger: Logger, what: string): (error: unknown) => void {
  return (error) =>
    logger.error(`${what} failed`, {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
}

function startProbeLoop(deps: LocalSchedulesDeps, targets: ResolvedTargets): ScheduleLoop {
  const { config } = deps.runtime;
  return startScheduleLoop({
    schedule: config.probes.schedule,
    now: deps.runtime.now,
    run: async (scheduledAt) => {
      const outcome = await runScheduledProbeRound(
        {
          targets: targets.targets,
          vantage: config.vantage,
          timeoutMs: config.probes.timeoutMs,
          concurrency: config.probes.concurrency,
          scheduledAt,
        },
        deps.pipeline,
      );
      const { counts, roundId, wallMs } = outcome.summary;
      deps.logger.info('probe round', {
        roundId,
        targets: outcome.summary.targets,
        up: counts.up,
        down: counts.down,
        degraded: counts.degraded,
        inconclusive: counts.inconclusive,
        wallMs: Math.round(wallMs),
        decisions: outcome.decisions.filter((d) => d.kind !== 'observe').length,
        queued: outcome.queued,
        peerBatches: outcome.peerBatches,
      });
      if (outcome.queued > 0 || outcome.peerBatches > 0) deps.kick();
    },
    onError: onError(deps.logger, 'probe round'),
  });
}

function startEngineTimerLoop(deps: LocalSchedulesDeps): ScheduleLoop {
  return startScheduleLoop({
    schedule: parseSchedule(ENGINE_TIMER_SCHEDULE),
    now: deps.runtime.now,
    runAtStart: false,
    run: async () => {
      const outcome = await runEngineTimers(deps.pipeline);
      if (outcome.queued > 0) deps.kick();
    },
    onError: onError(deps.logger, 'engine timers'),
  });
}

function startRetentionLoop(deps: LocalSchedulesDeps): ScheduleLoop {
  const { runtime } = deps;
  return startScheduleLoop({
    schedule: parseSchedule(RETENTION_SCHEDULE),
    now: runtime.now,
    run: async () => {
      const at = runtime.now();
      const cutoff = new Date(at.getTime() - runtime.config.evidence.retentionDays * DAY_MS);
      const evidence = await runtime.evidence();
      const purged = {
        evidence: evidence ? await evidence.purgeBefore(cutoff) : 0,
        inbox: await (await runtime.inbox()).purgeSettled(new Date(at.getTime() - INBOX_RETENTION_MS)),
        deliveries: await purgeFinishedDeliveries(await runtime.store(), at),
      };
      if (purged.evidence + purged.inbox + purged.deliveries > 0) deps.logger.info('retention', purged);
    },
    onError: onError(deps.logger, 'retention'),
  });
}

function startWatchdogLoop(deps: LocalSchedulesDeps): ScheduleLoop {
  const { runtime } = deps;
  return startScheduleLoop({
    schedule: runtime.config.watchdog.schedule,
    now: runtime.now,
    run: async () => {
      // Our own heartbeat (published in /api/status for peers), then the peers' (watchdog-stale).
      await recordOwnHeartbeat(runtime.deploymentId, deps.pipeline);
      if (runtime.peers.length === 0) return;
      const outcome = await watchPeers(runtime.peers, deps.pipeline, { fetch: runtime.fetch });
      if (outcome.queued > 0) deps.kick();
    },
    onError: onError(deps.logger, 'watchdog'),
  });
}

async function startPollLoop(deps: LocalSchedulesDeps): Promise<ScheduleLoop | null> {
  const pollers = await deps.runtime.pollers();
  if (pollers.length === 0) return null;
  deps.logger.info('pollers configured', { sources: pollers.map((p) => p.source).join(', ') });
  return startScheduleLoop({
    schedule: deps.runtime.config.pollers.schedule,
    now: deps.runtime.now,
    run: async () => {
      const outcome = await pollProviderHealth(pollers, deps.pipeline);
      deps.logger.info('poll round', {
        sources: outcome.results
          .map((result) => `${result.source}:${result.status.reachable ? 'reachable' : 'unreachable'}`)
          .join(' '),
        decisions: outcome.decisions.length,
        queued: outcome.queued,
      });
      if (outcome.queued > 0) deps.kick();
    },
    onError: onError(deps.logger, 'poll round'),
  });
}

export async function startLocalSchedules(deps: LocalSchedulesDeps): Promise<LocalSchedules> {
  const loops: ScheduleLoop[] = [];
  let targets: ResolvedTargets | null = null;
  if (deps.runtime.config.probes.enabled) {
    targets = await deps.runtime.probeTargets();
    if (targets.targets.length > 0) loops.push(startProbeLoop(deps, targets));
  }
  loops.push(startEngineTimerLoop(deps), startRetentionLoop(deps), startWatchdogLoop(deps));
  const pollLoop = await startPollLoop(deps);
  if (pollLoop) loops.push(pollLoop);
  return { loops, targets };
}

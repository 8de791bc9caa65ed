/**
 * One scheduled probe round through the pipeline: probe every target from this vantage, record the
 * outcome and latency metrics, decide every result with the engine, queue the notifications, and
 * queue the round's results for the mesh peers (sent by the outbox like any delivery).
 * Used by the local runner's schedule, the Azure timer function and the EventBridge-scheduled Lambda.
 */
import type { Decision } from '../engine/decision.ts';
import { processEvents } from '../engine/process-event.ts';
import type { Vantage } from '../event/schema.ts';
import { enqueuePeerBatches } from '../mesh/enqueue-peer-batches.ts';
import { METRIC_NAMES } from '../observability/metrics.ts';
import type { EventLoopLagMonitor } from '../probe/event-loop-lag.ts';
import { createRoundId, type RoundSummary, runProbeRound } from '../probe/runner.ts';
import type { TargetSpec } from '../probe/target-types.ts';
import { handleDecisions } from './handle-decisions.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export interface ProbeRoundSettings {
  readonly targets: readonly TargetSpec[];
  readonly vantage: Vantage;
  readonly timeoutMs: number;
  readonly concurrency: number;
  /** Scheduled time of this round: part of the round id, so a redelivered schedule is one round. */
  readonly scheduledAt?: Date;
  readonly signal?: AbortSignal;
  readonly lagMonitor?: EventLoopLagMonitor;
  /** Extra trust anchors (tests). */
  readonly ca?: string | readonly string[];
}

export interface ProbeRoundOutcome {
  readonly summary: RoundSummary;
  readonly decisions: readonly Decision[];
  readonly queued: number;
  /** Batches of this round's results queued for the mesh peers (mesh/enqueue-peer-batches.ts). */
  readonly peerBatches: number;
}

export async function runScheduledProbeRound(
  settings: ProbeRoundSettings,
  deps: PipelineDeps,
): Promise<ProbeRoundOutcome> {
  const round = await runProbeRound(settings.targets, {
    vantage: settings.vantage,
    timeoutMs: settings.timeoutMs,
    concurrency: settings.concurrency,
    now: deps.now,
    ...(settings.scheduledAt ? { roundId: createRoundId(settings.scheduledAt, settings.vantage.id) } : {}),
    ...(settings.signal ? { signal: settings.signal } : {}),
    ...(settings.lagMonitor ? { lagMonitor: settings.lagMonitor } : {}),
    ...(settings.ca ? { ca: settings.ca } : {}),
  });
  for (const result of round.results) {
    const dimensions = { target: result.target.id, plane: result.plane, vantage: settings.vantage.id };
    deps.metrics.count(METRIC_NAMES.probeResult, { ...dimensions, outcome: result.outcome });
    if (result.latencyMs !== null)
      deps.metrics.observe(METRIC_NAMES.probeLatencyMs, result.latencyMs, dimensions);
  }
  const decisions = await processEvents(round.events, {
    store: deps.store,
    now: deps.now,
    config: deps.engine,
  });
  const queued = await handleDecisions(decisions, deps);
  const peerBatches = deps.mesh
    ? await enqueuePeerBatches(
        { roundId: round.summary.roundId, events: round.events },
        { store: deps.store, peers: deps.mesh.peers, deploymentId: deps.mesh.deploymentId, now: deps.now },
      )
    : 0;
  return { summary: round.summary, decisions, queued, peerBatches };
}

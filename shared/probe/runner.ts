/**
 * A probe round: every enabled target probed once from this vantage with bounded concurrency, a hard
 * per-probe timeout and a round deadline, both enforced with AbortSignal (sockets are destroyed on
 * abort), so a hanging target can never stretch the round. Round-level rules turn our own trouble
 * into `inconclusive` instead of `down`: event-loop lag during a probe (`event-loop-lag`), failing
 * control targets (`vantage-impaired`), the deadline (`round-deadline`) and a caller's abort.
 */
import { setMaxListeners } from 'node:events';
import { createProbeResultEvent, PROBE_RESULT_KIND, type ProbeResult } from '../event/probe-result-event.ts';
import type { ProbeCloudEvent, Vantage } from '../event/schema.ts';
import {
  INCONCLUSIVE_REASONS,
  type InconclusiveReason,
  PROBE_OUTCOMES,
  type ProbeKind,
  type ProbeOutcome,
} from '../event/vocabulary.ts';
import { describeError } from './classify-error.ts';
import { probeDns } from './dns.ts';
import { probeEntra } from './entra.ts';
import { type EventLoopLagMonitor, startEventLoopLagMonitor } from './event-loop-lag.ts';
import { probeFeed } from './feed.ts';
import { probeHttp } from './http.ts';
import { createEmptyPhases, type ProbeContext, type ProbeReport, roundMs } from './probe-types.ts';
import { applySelfHealthGating, assessControls, type ControlHealth } from './self-health.ts';
import { probeSmtp } from './smtp.ts';
import type { TargetSpec } from './target-types.ts';
import { describeAddress } from './target-types.ts';
import { probeTcp } from './tcp.ts';
import { probeTls } from './tls.ts';

type ProbeFunction = (target: TargetSpec, ctx: ProbeContext) => Promise<ProbeReport>;

const PROBES: Readonly<Record<ProbeKind, ProbeFunction>> = {
  http: (target, ctx) => probeHttp(target as Extract<TargetSpec, { kind: 'http' }>, ctx),
  dns: (target, ctx) => probeDns(target as Extract<TargetSpec, { kind: 'dns' }>, ctx),
  tcp: (target, ctx) => probeTcp(target as Extract<TargetSpec, { kind: 'tcp' }>, ctx),
  smtp: (target, ctx) => probeSmtp(target as Extract<TargetSpec, { kind: 'smtp' }>, ctx),
  tls: (target, ctx) => probeTls(target as Extract<TargetSpec, { kind: 'tls' }>, ctx),
  entra: (target, ctx) => probeEntra(target as Extract<TargetSpec, { kind: 'entra' }>, ctx),
  feed: (target, ctx) => probeFeed(target as Extract<TargetSpec, { kind: 'feed' }>, ctx),
};

export const ROUND_DEFAULTS = {
  timeoutMs: 5000,
  concurrency: 16,
  lagThresholdMs: 250,
  controlFailureThreshold: 0.5,
} as const;

export interface ProbeRoundOptions {
  readonly vantage: Vantage;
  /** Per-probe timeout (a target's own `timeoutMs` wins). */
  readonly timeoutMs?: number;
  /** The whole round's deadline, from its start; default 3 × timeoutMs. */
  readonly deadlineMs?: number;
  readonly concurrency?: number;
  /** Event-loop lag above this during a probe makes its failure `inconclusive` (event-loop-lag). */
  readonly lagThresholdMs?: number;
  /** Share of failed control targets above which the vantage counts as impaired (default 0.5). */
  readonly controlFailureThreshold?: number;
  /** Extra trust anchors (PEM) for every TLS probe; production uses the system store only. */
  readonly ca?: string | readonly string[];
  /** The caller's abort: remaining probes become `inconclusive` (aborted). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Monotonic milliseconds. */
  readonly clock?: () => number;
  readonly roundId?: string;
  /** An already running monitor (shared across rounds); otherwise one runs for this round. */
  readonly lagMonitor?: EventLoopLagMonitor;
}

export interface RoundSummary {
  readonly roundId: string;
  readonly vantage: Vantage;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly wallMs: number;
  readonly targets: number;
  readonly counts: Readonly<Record<ProbeOutcome, number>>;
  readonly inconclusive: Readonly<Record<InconclusiveReason, number>>;
  readonly controls: ControlHealth;
  /** The round deadline cut at least one probe short or left it unstarted. */
  readonly deadlineReached: boolean;
  /** Worst event-loop lag seen during the round (ms). */
  readonly maxEventLoopLagMs: number;
}

export interface ProbeRound {
  readonly roundId: string;
  readonly results: readonly ProbeResult[];
  readonly events: readonly ProbeCloudEvent[];
  readonly summary: RoundSummary;
}

type StopCause = 'timeout' | 'round-deadline' | 'aborted';

class StopReason {
  constructor(readonly cause: StopCause) {}
}
const TIMEOUT = new StopReason('timeout');
const DEADLINE = new StopReason('round-deadline');
const CALLER = new StopReason('aborted');

/** `r-20260122T093000Z-<vantage>`: one id per round and vantage. */
export function createRoundId(at: Date, vantageId: string): string {
  return `r-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}-${vantageId}`;
}

/**
 * If a probe ignores its abort, the round still ends: once the signal fires and every settled promise
 * has run (setImmediate comes after the microtask queue), this report stands in for it.
 */
function createBackstop(signal: AbortSignal, clock: () => number, start: number): Promise<ProbeReport> {
  return new Promise((resolve) => {
    const fire = () =>
      setImmediate(() => {
        const phases = { ...createEmptyPhases(), totalMs: roundMs(clock() - start) };
        resolve({
          outcome: 'down',
          latencyMs: null,
          phases,
          error: 'PROBE_ABORTED',
          errorDetail: 'the probe did not stop when aborted',
          observations: {},
          aborted: true,
        });
      });
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
}

/** The round's settings with defaults applied, its clocks, and the signal every probe listens to. */
interface RoundContext {
  readonly roundId: string;
  readonly vantage: Vantage;
  readonly now: () => Date;
  readonly clock: () => number;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly lagThresholdMs: number;
  readonly ca: ProbeRoundOptions['ca'];
  readonly monitor: EventLoopLagMonitor;
  /** Aborted by the round deadline or the caller. */
  readonly signal: AbortSignal;
}

/**
 * The round's abort: fired by its deadline or by the caller's signal. `release` clears the deadline
 * and stops listening to the caller.
 */
function startRoundAbort(
  options: ProbeRoundOptions,
  concurrency: number,
  deadlineMs: number,
): { readonly signal: AbortSignal; readonly release: () => void } {
  const round = new AbortController();
  // One listener per probe in flight: not a leak.
  setMaxListeners(concurrency + 16, round.signal);
  const deadline = setTimeout(() => round.abort(DEADLINE), deadlineMs);
  const onCallerAbort = () => round.abort(CALLER);
  if (options.signal?.aborted) round.abort(CALLER);
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: round.signal,
    release: () => {
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

function toProbeResult(
  round: RoundContext,
  target: TargetSpec,
  report: ProbeReport,
  startedAt: Date,
  outcome: ProbeOutcome,
  reason: InconclusiveReason | null,
): ProbeResult {
  return {
    kind: PROBE_RESULT_KIND,
    roundId: round.roundId,
    target: {
      id: target.id,
      name: target.name,
      kind: target.kind,
      address: describeAddress(target),
      control: target.control,
    },
    vantage: round.vantage,
    plane: target.plane,
    outcome,
    reason,
    startedAt: startedAt.toISOString(),
    finishedAt: round.now().toISOString(),
    latencyMs: report.latencyMs,
    phases: report.phases,
    error: report.error,
    errorDetail: report.errorDetail,
    ...(target.services ? { services: target.services } : {}),
    ...(target.regions ? { regions: target.regions } : {}),
    observations: report.observations,
  };
}

/**
 * Runs one probe under its own timeout and the round's abort; a probe that ignores its abort is cut
 * short by the backstop, and one that throws is `down` (PROBE_ERROR).
 */
async function runProbe(
  round: RoundContext,
  target: TargetSpec,
  controller: AbortController,
  start: number,
): Promise<ProbeReport> {
  const { clock } = round;
  const timer = setTimeout(() => controller.abort(TIMEOUT), target.timeoutMs ?? round.timeoutMs);
  const onRoundAbort = () => controller.abort(round.signal.reason);
  round.signal.addEventListener('abort', onRoundAbort, { once: true });
  const ctx: ProbeContext = { signal: controller.signal, now: clock, wallNow: round.now, ca: round.ca };
  try {
    return await Promise.race([
      PROBES[target.kind](target, ctx),
      createBackstop(controller.signal, clock, start),
    ]);
  } catch (error) {
    return {
      outcome: 'down',
      latencyMs: null,
      phases: { ...createEmptyPhases(), totalMs: roundMs(clock() - start) },
      error: 'PROBE_ERROR',
      errorDetail: describeError(error),
      observations: {},
      aborted: false,
    };
  } finally {
    clearTimeout(timer);
    round.signal.removeEventListener('abort', onRoundAbort);
  }
}

/**
 * Probes one target and judges the report: a probe stopped by the round deadline or the caller is
 * `inconclusive` with that reason, and a failure during event-loop lag is `inconclusive` (event-loop-lag).
 */
async function probeTarget(round: RoundContext, target: TargetSpec): Promise<ProbeResult> {
  const controller = new AbortController();
  const startedAt = round.now();
  const start = round.clock();
  const report = await runProbe(round, target, controller, start);
  const end = round.clock();
  let outcome: ProbeOutcome = report.outcome;
  let reason: InconclusiveReason | null = null;
  const stop = controller.signal.reason;
  if (report.aborted && outcome !== 'up' && stop instanceof StopReason && stop.cause !== 'timeout') {
    outcome = 'inconclusive';
    reason = stop.cause;
  }
  const lag = round.monitor.maxLagBetween(start, end);
  let observations = report.observations;
  if (lag > round.lagThresholdMs) {
    observations = { ...observations, eventLoopLagMs: Math.round(lag) };
    if (reason === null && (outcome === 'down' || outcome === 'degraded')) {
      outcome = 'inconclusive';
      reason = 'event-loop-lag';
    }
  }
  return toProbeResult(round, target, { ...report, observations }, startedAt, outcome, reason);
}

/**
 * Probes the enabled targets, controls first (a round cut by its deadline must still have judged its
 * own network), at most `concurrency` at a time, until the round is aborted. Unstarted slots stay empty.
 */
async function probeTargets(
  round: RoundContext,
  enabled: readonly TargetSpec[],
  concurrency: number,
): Promise<(ProbeResult | undefined)[]> {
  const order = enabled
    .map((target, index) => ({ target, index }))
    .sort((a, b) => Number(b.target.control) - Number(a.target.control));
  const results: (ProbeResult | undefined)[] = new Array(enabled.length);
  let next = 0;
  const worker = async () => {
    while (next < order.length && !round.signal.aborted) {
      const item = order[next++];
      if (item === undefined) break;
      results[item.index] = await probeTarget(round, item.target);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, order.length) }, worker));
  return results;
}

/** Every target the round did not get to: `inconclusive`, by the round deadline or the caller's abort. */
function fillUnstarted(
  round: RoundContext,
  enabled: readonly TargetSpec[],
  results: readonly (ProbeResult | undefined)[],
): ProbeResult[] {
  const stopCause = round.signal.reason instanceof StopReason ? round.signal.reason.cause : 'aborted';
  const reason: InconclusiveReason = stopCause === 'round-deadline' ? 'round-deadline' : 'aborted';
  return enabled.map((target, index) => {
    const done = results[index];
    if (done !== undefined) return done;
    const report: ProbeReport = {
      outcome: 'down',
      latencyMs: null,
      phases: createEmptyPhases(),
      error: 'PROBE_ABORTED',
      errorDetail:
        reason === 'round-deadline'
          ? `not started within the ${round.deadlineMs} ms round deadline`
          : 'round aborted before this probe started',
      observations: {},
      aborted: true,
    };
    return toProbeResult(round, target, report, round.now(), 'inconclusive', reason);
  });
}

function countOutcomes(results: readonly ProbeResult[]): {
  counts: Record<ProbeOutcome, number>;
  inconclusive: Record<InconclusiveReason, number>;
} {
  const counts = Object.fromEntries(PROBE_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
    ProbeOutcome,
    number
  >;
  const inconclusive = Object.fromEntries(INCONCLUSIVE_REASONS.map((r) => [r, 0])) as Record<
    InconclusiveReason,
    number
  >;
  for (const result of results) {
    counts[result.outcome]++;
    if (result.reason !== null) inconclusive[result.reason]++;
  }
  return { counts, inconclusive };
}

/**
 * One round: settings resolved, the round's abort armed, the targets probed, the unstarted ones
 * filled in, our own health assessed and applied, and the results turned into events and a summary.
 */
export async function runProbeRound(
  targets: readonly TargetSpec[],
  options: ProbeRoundOptions,
): Promise<ProbeRound> {
  const now = options.now ?? (() => new Date());
  const clock = options.clock ?? (() => performance.now());
  const timeoutMs = options.timeoutMs ?? ROUND_DEFAULTS.timeoutMs;
  const deadlineMs = options.deadlineMs ?? timeoutMs * 3;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? ROUND_DEFAULTS.concurrency));
  const roundStartedAt = now();
  const roundStart = clock();
  const roundId = options.roundId ?? createRoundId(roundStartedAt, options.vantage.id);
  const monitor = options.lagMonitor ?? startEventLoopLagMonitor({ now: clock });
  const abort = startRoundAbort(options, concurrency, deadlineMs);
  const round: RoundContext = {
    roundId,
    vantage: options.vantage,
    now,
    clock,
    timeoutMs,
    deadlineMs,
    lagThresholdMs: options.lagThresholdMs ?? ROUND_DEFAULTS.lagThresholdMs,
    ca: options.ca,
    monitor,
    signal: abort.signal,
  };

  const enabled = targets.filter((target) => !target.disabled);
  let results: (ProbeResult | undefined)[] = [];
  let maxLagMs = 0;
  try {
    results = await probeTargets(round, enabled, concurrency);
  } finally {
    maxLagMs = Math.round(monitor.maxLagBetween(roundStart, clock()));
    abort.release();
    if (options.lagMonitor === undefined) monitor.stop();
  }

  const finished = fillUnstarted(round, enabled, results);
  // The deadline cut a probe short or left it unstarted.
  const deadlineReached = finished.some((result) => result.reason === 'round-deadline');
  const controls = assessControls(
    finished,
    options.controlFailureThreshold ?? ROUND_DEFAULTS.controlFailureThreshold,
  );
  const gated = applySelfHealthGating(finished, controls);
  const finishedAt = now();
  const { counts, inconclusive } = countOutcomes(gated);
  return {
    roundId,
    results: gated,
    events: gated.map((result) => createProbeResultEvent(result)),
    summary: {
      roundId,
      vantage: options.vantage,
      startedAt: roundStartedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      wallMs: roundMs(clock() - roundStart),
      targets: gated.length,
      counts,
      inconclusive,
      controls,
      deadlineReached,
      maxEventLoopLagMs: maxLagMs,
    },
  };
}

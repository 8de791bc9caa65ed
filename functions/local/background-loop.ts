/**
 * The local runner's background work: accepted inputs taken off the SQLite inbox through the
 * pipeline (drain-inbox.ts); the deliveries that queues are sent by the outbox dispatcher's per-sink
 * loops (outbox-dispatcher.ts), which this loop nudges and never waits for, so a slow sink delays
 * neither the inbox nor another sink. It runs when an input was accepted and once a second, never
 * twice at once; it nudges the sinks' loops only when it processed inputs.
 *
 * Acceptance comes first during a flood: while at least FLOOD_ACCEPTS webhooks were accepted within
 * FLOOD_WINDOW_MS (1,000/s and more), the background pipeline (evidence, engine and outbox
 * writes, each with its own fsync) would compete with the inbox's commits for the disk and the CPU,
 * so it processes at most FLOOD_SLICE entries per FLOOD_MAX_DEFER_MS instead of running flat out.
 * Below that rate (every real action group) nothing waits. Nothing is skipped either: what was
 * accepted stays pending in the inbox and is processed as soon as the flood subsides, or at shutdown.
 */
import type { OutboxDispatcher } from '../../shared/notify/outbox-dispatcher.ts';
import type { Logger } from '../../shared/observability/logger.ts';
import { DRAIN_BATCH_SIZE, type DrainableInbox, drainInbox } from '../../shared/pipeline/drain-inbox.ts';
import type { PipelineDeps } from '../../shared/pipeline/pipeline-deps.ts';

/** How often the loop looks for due retries and pending inputs without a nudge. */
const BACKGROUND_TICK_MS = 1000;
const FLOOD_WINDOW_MS = 100;
const FLOOD_ACCEPTS = 100;
const FLOOD_MAX_DEFER_MS = 1000;
const FLOOD_SLICE = 25;
const FLOOD_POLL_MS = 50;

export interface FloodGauge {
  /** Counts one accepted webhook. */
  accepted(): void;
  /** True from the moment a window reached FLOOD_ACCEPTS until the end of the window after it. */
  isHot(): boolean;
}

/** Counts accepted webhooks per FLOOD_WINDOW_MS (`clock` in milliseconds, monotonic). */
export function createFloodGauge(clock: () => number = () => performance.now()): FloodGauge {
  let windowStart = Number.NEGATIVE_INFINITY;
  let inWindow = 0;
  let hotUntil = Number.NEGATIVE_INFINITY;
  return {
    accepted() {
      const at = clock();
      if (at - windowStart >= FLOOD_WINDOW_MS) {
        windowStart = at;
        inWindow = 0;
      }
      inWindow++;
      if (inWindow >= FLOOD_ACCEPTS) hotUntil = windowStart + 2 * FLOOD_WINDOW_MS;
    },
    isHot: () => clock() < hotUntil,
  };
}

export interface BackgroundLoopDeps {
  readonly inbox: DrainableInbox;
  readonly pipeline: PipelineDeps;
  readonly outbox: OutboxDispatcher;
  readonly logger: Logger;
}

export interface BackgroundLoop {
  /** Runs the loop now, or once more after the run in flight; resolves when that run ends. */
  kick(): Promise<void>;
  /** One webhook was accepted (feeds the flood gauge, then kicks). */
  accepted(): void;
  /**
   * Stops the tick, lets the run in flight finish, processes every pending input, then gives the
   * outbox `outboxBudgetMs` for one last pass of what is due (no waiting for retries).
   */
  stop(outboxBudgetMs: number): Promise<void>;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function startBackgroundLoop(deps: BackgroundLoopDeps): BackgroundLoop {
  const { inbox, pipeline, outbox, logger } = deps;
  let running: Promise<void> | undefined;
  let again = false;
  let closingDown = false;
  const stopController = new AbortController();
  const flood = createFloodGauge();
  /** Resolves at once unless webhooks are flooding in; then when they stop, or after FLOOD_MAX_DEFER_MS. */
  const yieldToFlood = async (): Promise<boolean> => {
    const started = performance.now();
    let deferred = false;
    while (flood.isHot() && !closingDown && performance.now() - started < FLOOD_MAX_DEFER_MS) {
      deferred = true;
      await new Promise((resolve) => setTimeout(resolve, FLOOD_POLL_MS));
    }
    return deferred && flood.isHot() && !closingDown;
  };
  const runOnce = async () => {
    do {
      again = false;
      const limit = (await yieldToFlood()) ? FLOOD_SLICE : DRAIN_BATCH_SIZE;
      const drained = await drainInbox(inbox, pipeline, { limit });
      if (drained.processed + drained.rejected > 0) {
        logger.info('inputs processed', { processed: drained.processed, rejected: drained.rejected });
      }
      // A full slice: more may be pending.
      if (drained.stoppedBy === null && drained.processed + drained.rejected >= limit) again = true;
      // What these inputs queued goes out now; each sink's loop looks at its own queue.
      if (drained.processed > 0) outbox.nudge();
    } while (again && !stopController.signal.aborted);
  };
  const kick = () => {
    if (running) {
      again = true;
      return running;
    }
    running = runOnce()
      .catch((error: unknown) =>
        logger.error('background processing failed', { error: describeError(error) }),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const ticker = setInterval(() => void kick(), BACKGROUND_TICK_MS);
  ticker.unref();
  return {
    kick,
    accepted() {
      flood.accepted();
      void kick();
    },
    async stop(outboxBudgetMs) {
      closingDown = true;
      clearInterval(ticker);
      await running;
      await drainInbox(inbox, pipeline);
      stopController.abort();
      await outbox.stop(outboxBudgetMs);
    },
  };
}

/**
 * The outbox for a long-running process (the local runner): one loop per sink, each with its own
 * queue head, pacing and retry timer, so a sink that hangs (until attemptTimeoutMs), is paced
 * (Slack's 1 message/s with a backlog) or keeps failing never holds back another sink's delivery.
 *
 * A loop makes one pass over its sink's queue (outbox-worker.ts `runSink`), then sleeps until the
 * next due retry, a nudge (`nudge()`: new deliveries were queued; a fallback was queued for it) or
 * `idleCheckMs` (deliveries queued by another process, e.g. `crosswatch redrive`). A nudge during a
 * pass makes the loop pass again right after it, so nothing queued is left waiting for a timer.
 *
 * Stopping (`stop(budgetMs)`) does not wait for retries: each loop makes one last pass for what is
 * due now and ends; when the budget runs out, attempts still in flight are aborted. What is still
 * pending stays in the outbox for the next start.
 */
import type { OutboxLogger } from './outbox-logger.ts';
import { createOutboxWorker, type OutboxWorkerDeps, type SinkRunSummary } from './outbox-worker.ts';

/** How long an idle loop sleeps before it looks at its queue again without a nudge. */
const DEFAULT_IDLE_CHECK_MS = 1000;
/** After a store error stopped a pass, the loop waits this long before the next. */
const STORE_ERROR_PAUSE_MS = 1000;

export interface OutboxDispatcherDeps extends OutboxWorkerDeps {
  /** Each pass's counts (metrics). */
  readonly onPass?: (summary: SinkRunSummary) => void;
  readonly idleCheckMs?: number;
}

export interface OutboxDispatcher {
  /** New deliveries may be queued: every loop (or the named sink's) looks at its queue now. */
  nudge(sinkName?: string): void;
  /** One last pass each for what is due now, attempts aborted after budgetMs; resolves when all ended. */
  stop(budgetMs: number): Promise<void>;
}

export class OutboxShutdownError extends Error {
  override name = 'OutboxShutdownError';
}

interface SinkLoop {
  /** A nudge arrived during a pass: pass again at once. */
  again: boolean;
  /** Ends the current sleep. */
  wake: () => void;
  done: Promise<void>;
}

/** Resolves after ms, or when woken (the returned function), whichever comes first. */
function sleepUnlessWoken(ms: number): { slept: Promise<void>; wake: () => void } {
  let wake: () => void = () => undefined;
  const slept = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(ms, 1));
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { slept, wake };
}

export function startOutboxDispatcher(deps: OutboxDispatcherDeps): OutboxDispatcher {
  const abort = new AbortController();
  const logger: OutboxLogger | undefined = deps.logger;
  const idleCheckMs = deps.idleCheckMs ?? DEFAULT_IDLE_CHECK_MS;
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  const loops = new Map<string, SinkLoop>();
  let finishing = false;
  const nudge = (sinkName?: string) => {
    for (const [name, loop] of loops) {
      if (sinkName !== undefined && name !== sinkName) continue;
      loop.again = true;
      loop.wake();
    }
  };
  const worker = createOutboxWorker({ ...deps, onQueued: (name) => nudge(name) });

  const runLoop = async (name: string, loop: SinkLoop): Promise<void> => {
    while (!abort.signal.aborted) {
      loop.again = false;
      let summary: SinkRunSummary;
      try {
        summary = await worker.runSink(name, { signal: abort.signal });
      } catch (error) {
        logger?.warn('outbox: sink loop pass failed', { sink: name, error: (error as Error).name });
        summary = { sink: name, delivered: 0, retried: 0, dead: 0, nextDueAt: now(), error: 'error' };
      }
      deps.onPass?.(summary);
      if (abort.signal.aborted || (finishing && !loop.again)) break;
      if (loop.again) continue;
      const wait =
        summary.error !== null
          ? STORE_ERROR_PAUSE_MS
          : Math.min(idleCheckMs, summary.nextDueAt === null ? idleCheckMs : summary.nextDueAt - now());
      const { slept, wake } = sleepUnlessWoken(wait);
      loop.wake = wake;
      await slept;
      loop.wake = () => undefined;
    }
  };

  for (const sink of deps.sinks) {
    const loop: SinkLoop = { again: false, wake: () => undefined, done: Promise.resolve() };
    loops.set(sink.name, loop);
    loop.done = runLoop(sink.name, loop);
  }

  let stopping: Promise<void> | undefined;
  return {
    nudge,
    stop(budgetMs) {
      stopping ??= (async () => {
        finishing = true;
        const deadline = setTimeout(
          () => abort.abort(new OutboxShutdownError(`shutdown budget of ${budgetMs} ms spent`)),
          Math.max(budgetMs, 0),
        );
        // Every loop makes one last pass for what is due now (what the shutdown's inbox drain queued).
        nudge();
        await Promise.all([...loops.values()].map((loop) => loop.done));
        clearTimeout(deadline);
      })();
      return stopping;
    },
  };
}

/**
 * Event-loop lag monitor: a timer-drift sampler. A timer set for every `intervalMs` records how late
 * it fired; a probe whose window overlaps a late tick ran on a starved process, and its timings say
 * more about us than about the target. Cheap (one timer, a small ring of samples), unref'd.
 */

export interface EventLoopLagMonitor {
  /** The worst lag (ms) seen between `startMs` and `endMs` (monotonic, the monitor's clock). */
  maxLagBetween(startMs: number, endMs: number): number;
  /** The worst lag seen since the monitor started. */
  maxLag(): number;
  stop(): void;
}

export interface LagMonitorOptions {
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** Samples kept (a ring); at 20 ms that is 200 s of history by default. */
  readonly capacity?: number;
}

export function startEventLoopLagMonitor(options: LagMonitorOptions = {}): EventLoopLagMonitor {
  const intervalMs = options.intervalMs ?? 20;
  const now = options.now ?? (() => performance.now());
  const capacity = options.capacity ?? 10_000;
  const times = new Float64Array(capacity);
  const lags = new Float64Array(capacity);
  let count = 0;
  let worst = 0;
  let last = now();
  const timer = setInterval(() => {
    const at = now();
    const lag = Math.max(0, at - last - intervalMs);
    last = at;
    const slot = count % capacity;
    times[slot] = at;
    lags[slot] = lag;
    count++;
    if (lag > worst) worst = lag;
  }, intervalMs);
  timer.unref();
  // The stall that is still going on (no tick yet) counts too.
  const pending = () => Math.max(0, now() - last - intervalMs);
  return {
    maxLagBetween(startMs, endMs) {
      let max = 0;
      const first = Math.max(0, count - capacity);
      for (let i = count - 1; i >= first; i--) {
        const slot = i % capacity;
        const at = times[slot] ?? 0;
        // A tick at `at` measured a stall that ended at `at` and began `lag` ms earlier.
        if (at + intervalMs < startMs) break;
        const lag = lags[slot] ?? 0;
        if (at - lag - intervalMs <= endMs && lag > max) max = lag;
      }
      return Math.max(max, pending());
    },
    maxLag() {
      return Math.max(worst, pending());
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * Client-side pacing per sink (Slack 1 message/s per webhook, Teams 4/s, PagerDuty 120/min per
 * integration key): a sliding-window log. A send may start when fewer than `requests` sends started
 * in the last `perMs`; otherwise it waits until the oldest of them leaves the window. The clock and
 * sleep are injected, so tests pace on a fake clock.
 *
 * The window is per process: two workers sharing one sink each keep their own (documented in
 * docs/notifications.md); the destination's 429 + Retry-After is the backstop.
 */
import type { SinkRateLimit } from './sink.ts';

export interface RateLimiter {
  /** Resolves true when a send may start (recorded as started), false when the signal stopped the wait. */
  acquire(signal?: AbortSignal): Promise<boolean>;
}

export interface RateLimiterClock {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function createRateLimiter(limit: SinkRateLimit | null, clock: RateLimiterClock): RateLimiter {
  if (limit === null || limit.requests <= 0 || limit.perMs <= 0) {
    return { acquire: async (signal) => !signal?.aborted };
  }
  const started: number[] = [];
  return {
    async acquire(signal) {
      for (;;) {
        const now = clock.now();
        while (started.length > 0 && (started[0] ?? 0) <= now - limit.perMs) started.shift();
        if (signal?.aborted) return false;
        if (started.length < limit.requests) {
          started.push(now);
          return true;
        }
        const wait = (started[0] ?? now) + limit.perMs - now;
        await clock.sleep(Math.max(wait, 1), signal);
      }
    },
  };
}

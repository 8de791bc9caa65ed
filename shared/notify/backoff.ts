/**
 * When to try a failed delivery again: exponential backoff with full jitter (a uniformly random
 * delay between 0 and min(maxDelay, base × 2^(attempt-1)), as in AWS's "Exponential Backoff And
 * Jitter"), or the destination's own Retry-After, capped so one sink cannot park a delivery for a day.
 */

export interface BackoffSettings {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** The delay before the next attempt after `attempt` (1-based) failed transiently; `random` returns [0, 1). */
export function computeBackoffDelay(
  attempt: number,
  settings: BackoffSettings,
  random: () => number,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** exponent);
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling * fraction);
}

/** The delay a Retry-After asks for, never negative and never above the cap. */
export function capRetryAfter(retryAfterMs: number, capMs: number): number {
  if (!Number.isFinite(retryAfterMs) || retryAfterMs < 0) return 0;
  return Math.min(Math.ceil(retryAfterMs), capMs);
}

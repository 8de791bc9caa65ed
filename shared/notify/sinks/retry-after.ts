/** `Retry-After` as a delay: delta-seconds or an HTTP date, never negative, capped. */
export const RETRY_AFTER_CAP_MS = 10 * 60_000;

export function parseRetryAfter(
  value: string | null | undefined,
  now: Date,
  capMs = RETRY_AFTER_CAP_MS,
): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  let delayMs: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    delayMs = Number(text) * 1000;
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    delayMs = at - now.getTime();
  }
  return Math.min(Math.max(0, Math.ceil(delayMs)), capMs);
}

/** A backoff when a 429 names no delay: `baseMs × 2^(attempt-1)`, capped. */
export function computeThrottleDelay(baseMs: number, attempt: number, capMs = RETRY_AFTER_CAP_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 20)), capMs);
}

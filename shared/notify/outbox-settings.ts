/**
 * The outbox worker's retry, timeout and retention settings (the `notify.outbox` config section),
 * kept apart from notify-config.ts so the worker does not load the sink modules to read its defaults.
 */

export interface OutboxSettings {
  /** Attempts per delivery before it becomes a dead letter. */
  readonly maxAttempts: number;
  /** A delivery still undelivered this long after it was queued becomes a dead letter (ms). */
  readonly maxAgeMs: number;
  /** Backoff after a transient failure: a random delay up to base × 2^(attempt-1)… */
  readonly baseDelayMs: number;
  /** …never more than this (ms). */
  readonly maxDelayMs: number;
  /** A sink's Retry-After is honoured up to this (ms); a longer one is capped. */
  readonly retryAfterCapMs: number;
  /** One send attempt is aborted after this (ms) and counts as a transient failure. */
  readonly attemptTimeoutMs: number;
  /**
   * How long a worker's claim on a delivery lasts (ms); the worker renews it every third of it while
   * the attempt lasts, so a crashed worker's claim ends soon (at once for a process gone from this host).
   */
  readonly leaseMs: number;
  /** Delivered and dead deliveries are kept this long for `crosswatch deliveries` and redrive (ms). */
  readonly retentionMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const DEFAULT_OUTBOX_SETTINGS: OutboxSettings = {
  maxAttempts: 8,
  maxAgeMs: 2 * 60 * MINUTE,
  baseDelayMs: 1 * SECOND,
  maxDelayMs: 5 * MINUTE,
  retryAfterCapMs: 1 * MINUTE,
  attemptTimeoutMs: 10 * SECOND,
  leaseMs: 15 * SECOND,
  retentionMs: 14 * 24 * 60 * MINUTE,
};

/**
 * What every probe kind shares: the context a probe runs in (abort signal, monotonic clock, trust
 * anchors) and the report it returns. The runner adds round, vantage and wall-clock times and turns a
 * report into a `ProbeResult`.
 */
import type { PhaseTimings } from '../event/schema.ts';
import type { ProbeErrorCode } from '../event/vocabulary.ts';

export type Observation = string | number | boolean | null;

export interface ProbeContext {
  /** Aborted by the per-probe timeout, the round deadline or the caller; a probe must settle at once. */
  readonly signal: AbortSignal;
  /** Monotonic milliseconds (performance.now in production); phases are measured with it. */
  readonly now: () => number;
  /** Wall clock, for certificate and feed dates. */
  readonly wallNow: () => Date;
  /** Extra trust anchors (PEM) for TLS; production leaves this unset and uses the system store. */
  readonly ca?: string | readonly string[] | undefined;
}

/** A probe's own verdict, before round-level rules (event-loop lag, self-health gating) apply. */
export interface ProbeReport {
  readonly outcome: 'up' | 'down' | 'degraded';
  readonly latencyMs: number | null;
  readonly phases: PhaseTimings;
  readonly error: ProbeErrorCode | null;
  readonly errorDetail: string | null;
  readonly observations: Record<string, Observation>;
  /** True when the probe stopped because its signal was aborted (timeout, deadline or caller). */
  readonly aborted: boolean;
}

export function createEmptyPhases(): PhaseTimings {
  return { dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: null };
}

/** Milliseconds rounded to 0.1 ms, never negative. */
export function roundMs(value: number): number {
  return Math.max(0, Math.round(value * 10) / 10);
}

export function normalizeCa(ca: ProbeContext['ca']): string[] | undefined {
  if (ca === undefined) return undefined;
  return typeof ca === 'string' ? [ca] : [...ca];
}

/** Whole days from `now` until `validTo` (an OpenSSL date such as `Jan  1 00:00:00 2030 GMT`). */
export function computeDaysLeft(validTo: string | undefined, now: Date): number | null {
  if (!validTo) return null;
  const expires = Date.parse(validTo);
  if (Number.isNaN(expires)) return null;
  return Math.floor((expires - now.getTime()) / 86_400_000);
}

/** A probe step that failed with a stable code; carries the phases measured so far. */
export class ProbeFailure extends Error {
  override readonly name = 'ProbeFailure';
  constructor(
    readonly code: ProbeErrorCode,
    readonly detail: string,
    readonly phases: PhaseTimings,
    readonly aborted: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
  }
}

/** The report for a probe that failed with `failure`. */
export function reportFailure(
  failure: ProbeFailure,
  observations: Record<string, Observation> = {},
): ProbeReport {
  return {
    outcome: 'down',
    latencyMs: null,
    phases: failure.phases,
    error: failure.code,
    errorDetail: failure.detail,
    observations,
    aborted: failure.aborted,
  };
}

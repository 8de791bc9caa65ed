/**
 * Self-health gating: every vantage probes a few control targets outside Microsoft in the same round.
 * When most of them fail, the round's failures say more about this vantage's network than about Azure
 * or Microsoft 365, so every non-control failure is reported `inconclusive` with reason
 * `vantage-impaired`, never `down`.
 */
import type { ProbeResult } from '../event/probe-result-event.ts';

export interface ControlHealth {
  readonly total: number;
  readonly failed: number;
  /** null when the round had no control targets (nothing to judge the vantage by). */
  readonly healthy: boolean | null;
}

/**
 * A control fails when it is `down` or `inconclusive` (it could not vouch for the network).
 * The vantage is impaired when the failed share exceeds `failureThreshold` (default 0.5: a strict
 * majority; 1 of 1, 2 of 2, 2 of 3, 3 of 5).
 */
export function assessControls(results: readonly ProbeResult[], failureThreshold = 0.5): ControlHealth {
  let total = 0;
  let failed = 0;
  for (const result of results) {
    if (!result.target.control) continue;
    total++;
    if (result.outcome === 'down' || result.outcome === 'inconclusive') failed++;
  }
  if (total === 0) return { total, failed, healthy: null };
  return { total, failed, healthy: failed / total <= failureThreshold };
}

/** Rewrites non-control `down`/`degraded` results as `inconclusive` (`vantage-impaired`) when impaired. */
export function applySelfHealthGating(results: readonly ProbeResult[], health: ControlHealth): ProbeResult[] {
  if (health.healthy !== false) return [...results];
  return results.map((result) =>
    !result.target.control && (result.outcome === 'down' || result.outcome === 'degraded')
      ? { ...result, outcome: 'inconclusive', reason: 'vantage-impaired' }
      : result,
  );
}

/**
 * The cross-vantage verdict of a probe incident: "is it them or is it us?". Pure; recomputed on
 * every result, so it changes as results from other vantages arrive.
 *
 * Only vantages whose latest result is fresh (≤ `verdict.freshnessMs` old) count. A vantage is
 * impaired when its control targets fail (vantage-health.ts) or its latest result for this target
 * was inconclusive with reason `vantage-impaired`; impaired vantages never count as failing.
 *
 *   provider-outage   ≥ quorum counting vantages are failing, at least one of them hard-failing;
 *   degraded          every failing counting vantage is soft-failing (slow `degraded` results,
 *                     intermittent or flapping; see isHardFailing);
 *   partial           some, but fewer than quorum, counting vantages are failing;
 *   vantage-impaired  none is failing and at least one fresh vantage is impaired;
 *   null              nothing is failing.
 */
import type { Verdict } from './decision.ts';
import type { ProbeThresholds, VerdictConfig } from './engine-config.ts';
import type { VantageState } from './incident-record.ts';

export interface VerdictInput {
  readonly vantages: readonly VantageState[];
  /** Vantages whose control targets currently fail. */
  readonly impairedVantageIds: ReadonlySet<string>;
  readonly now: number;
  readonly verdict: VerdictConfig;
  readonly probe: ProbeThresholds;
}

/** Up↔failed changes in a window of outcome letters. */
export function countChanges(window: string): number {
  let changes = 0;
  for (let i = 1; i < window.length; i++) {
    if ((window[i] === 'u') !== (window[i - 1] === 'u')) changes++;
  }
  return changes;
}

/**
 * Hard-failing: the vantage is failing, not flapping, and its latest `openAfterConsecutive` counted
 * results before any trailing successes (a recovery in progress does not change the class) are all
 * `down`. Anything else failing — slow `degraded` results, intermittent or flapping — is soft.
 */
export function isHardFailing(vantage: VantageState, probe: ProbeThresholds): boolean {
  if (!vantage.failing) return false;
  if (countChanges(vantage.window.slice(-probe.flapWindow)) >= probe.flapMinChanges) return false;
  const recent = vantage.window.replace(/u+$/, '').slice(-probe.openAfterConsecutive);
  return recent.length > 0 && /^d+$/.test(recent);
}

export function isVantageImpaired(
  vantage: VantageState,
  impaired: ReadonlySet<string>,
  now: number,
  freshnessMs: number,
): boolean {
  if (impaired.has(vantage.id)) return true;
  if (vantage.lastInconclusiveReason !== 'vantage-impaired' || vantage.lastInconclusiveAt === null)
    return false;
  const at = Date.parse(vantage.lastInconclusiveAt);
  return now - at <= freshnessMs && at >= Date.parse(vantage.lastResultAt);
}

/** The fresh vantages the verdict treats as impaired (by their controls or their own latest result). */
export function listImpairedVantages(input: VerdictInput): VantageState[] {
  const { now, verdict } = input;
  const fresh = (at: string | null) => at !== null && now - Date.parse(at) <= verdict.freshnessMs;
  return input.vantages.filter(
    (v) =>
      (fresh(v.lastResultAt) || fresh(v.lastInconclusiveAt)) &&
      isVantageImpaired(v, input.impairedVantageIds, now, verdict.freshnessMs),
  );
}

export function computeVerdict(input: VerdictInput): Verdict | null {
  const { now, verdict, probe } = input;
  const fresh = (at: string | null) => at !== null && now - Date.parse(at) <= verdict.freshnessMs;
  const impaired = listImpairedVantages(input);
  const impairedIds = new Set(impaired.map((v) => v.id));
  const failing = input.vantages.filter((v) => v.failing && fresh(v.lastResultAt) && !impairedIds.has(v.id));
  if (failing.length > 0) {
    const hard = failing.filter((v) => isHardFailing(v, probe));
    if (hard.length === 0) return 'degraded';
    return failing.length >= verdict.quorum ? 'provider-outage' : 'partial';
  }
  return impaired.length > 0 ? 'vantage-impaired' : null;
}

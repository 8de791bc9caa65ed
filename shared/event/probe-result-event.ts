/**
 * The probe-result CloudEvent: what a probe emits for one target from one vantage in one round
 * (`ProbeResult`) and the pure function that turns it into the schema v1 event. The probe runner
 * calls it directly; the `probe-result` input format (ingest/probe-result.ts) uses it for replays.
 */

import { uniqueStrings } from '../util/read.ts';
import { createEmptyScope, createProbeEvent } from './create-event.ts';
import type { Evidence, ProbeCloudEvent, ProbeEventData, ProbeTarget, Vantage } from './schema.ts';
import type {
  InconclusiveReason,
  Plane,
  ProbeErrorCode,
  ProbeOutcome,
  Severity,
  Status,
} from './vocabulary.ts';

export const PROBE_RESULT_KIND = 'crosswatch.probe-result' as const;

export type Observation = string | number | boolean | null;

/** What a probe emits for one target from one vantage in one round. */
export interface ProbeResult {
  readonly kind: typeof PROBE_RESULT_KIND;
  readonly roundId: string;
  readonly target: ProbeTarget;
  readonly vantage: Vantage;
  readonly plane: Plane;
  readonly outcome: ProbeOutcome;
  /** Why an outcome is `inconclusive` (our side, not the target); null otherwise. */
  readonly reason: InconclusiveReason | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly latencyMs: number | null;
  readonly phases: ProbeEventData['phases'];
  readonly error: ProbeErrorCode | null;
  readonly errorDetail: string | null;
  /** Microsoft services and regions the target stands for (from the catalog), if known. */
  readonly services?: readonly string[];
  readonly regions?: readonly string[];
  readonly observations: Readonly<Record<string, Observation>>;
}

const STATUS_BY_OUTCOME: Record<ProbeOutcome, Status> = {
  up: 'resolved',
  down: 'active',
  degraded: 'active',
  inconclusive: 'informational',
};
const SEVERITY_BY_OUTCOME: Record<ProbeOutcome, Severity> = {
  up: 'info',
  down: 'error',
  degraded: 'warning',
  inconclusive: 'info',
};

function describeOutcome(result: ProbeResult): string {
  const where = `from vantage ${result.vantage.id} (${result.vantage.cloud}${result.vantage.region ? ` ${result.vantage.region}` : ''})`;
  const latency = result.latencyMs === null ? '' : ` in ${Math.round(result.latencyMs)} ms`;
  const error = result.error
    ? `: ${result.error}${result.errorDetail ? ` (${result.errorDetail})` : ''}`
    : '';
  const reason = result.reason ? ` — ${result.reason}, not counted against the target` : '';
  return `${result.target.name} (${result.plane} plane, ${result.target.address}) is ${result.outcome} ${where}${latency}${error}${reason}.`;
}

/** Builds the probe-result CloudEvent for one result. Pure; the probes call it directly. */
export function createProbeResultEvent(
  result: ProbeResult,
  evidence: Evidence | null = null,
): ProbeCloudEvent {
  const title = `${result.target.name}: ${result.outcome}${result.error ? ` (${result.error})` : ''} from ${result.vantage.id}`;
  const links = /^https?:\/\//i.test(result.target.address)
    ? [{ label: 'Probe target', url: result.target.address }]
    : [];
  return createProbeEvent({
    schemaVersion: 1,
    provider: 'crosswatch',
    origin: 'probe',
    incidentKey: `probe:${result.target.id}`,
    updateKey: `probe:${result.target.id}:${result.vantage.id}:${result.roundId}`,
    category: 'probe',
    status: STATUS_BY_OUTCOME[result.outcome],
    severity: SEVERITY_BY_OUTCOME[result.outcome],
    title,
    summary: describeOutcome(result),
    services: uniqueStrings(result.services ?? []),
    regions: uniqueStrings(result.regions ?? []),
    scope: createEmptyScope(),
    startedAt: result.startedAt,
    updatedAt: result.finishedAt,
    resolvedAt: result.outcome === 'up' ? result.finishedAt : null,
    links,
    evidence,
    stage: result.outcome,
    attributes: { probeKind: result.target.kind, control: result.target.control },
    target: { ...result.target },
    vantage: { ...result.vantage },
    plane: result.plane,
    outcome: result.outcome,
    reason: result.reason,
    latencyMs: result.latencyMs,
    phases: { ...result.phases },
    error: result.error,
    errorDetail: result.errorDetail,
    roundId: result.roundId,
    observations: { ...result.observations },
  });
}

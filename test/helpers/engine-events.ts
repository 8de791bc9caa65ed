/**
 * Builders of normalized events for engine tests: Azure Service Health and AWS Health provider
 * events keyed exactly as the normalizers key them, and probe results through createProbeResultEvent.
 * Plus a seeded shuffle, so replays in many orders are reproducible.
 */
import { createProviderEvent } from '../../shared/event/create-event.ts';
import { createProbeResultEvent, PROBE_RESULT_KIND } from '../../shared/event/probe-result-event.ts';
import type { ProbeCloudEvent, ProviderCloudEvent, Scope } from '../../shared/event/schema.ts';
import type { Category, Status } from '../../shared/event/vocabulary.ts';
import { EVENT_TYPES } from '../../shared/event/vocabulary.ts';

const EMPTY_SCOPE: Scope = { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] };

export interface AzureUpdateSpec {
  readonly trackingId: string;
  readonly communicationId: string;
  readonly stage: string;
  readonly status?: Status;
  readonly updatedAt: string;
  readonly subscriptionId?: string;
  readonly category?: Exclude<Category, 'probe'>;
  readonly services?: string[];
  readonly regions?: string[];
  readonly startedAt?: string | null;
  readonly title?: string;
  readonly attributes?: Record<string, string | number | boolean | null>;
}

const AZURE_STATUS_BY_STAGE: Record<string, Status> = {
  active: 'active',
  resolved: 'resolved',
  rca: 'resolved',
  planned: 'scheduled',
  inprogress: 'active',
  complete: 'resolved',
  canceled: 'resolved',
  rescheduled: 'scheduled',
};

export function buildAzureServiceHealthEvent(spec: AzureUpdateSpec): ProviderCloudEvent {
  const status = spec.status ?? AZURE_STATUS_BY_STAGE[spec.stage.toLowerCase()] ?? 'active';
  return createProviderEvent(EVENT_TYPES.providerIncident, {
    schemaVersion: 1,
    provider: 'azure',
    origin: 'azure-monitor-common',
    incidentKey: `azure:${spec.trackingId}`,
    updateKey: `azure:${spec.trackingId}:${spec.communicationId}:${spec.stage}`,
    category: spec.category ?? 'incident',
    status,
    severity: status === 'resolved' ? 'info' : 'error',
    title: spec.title ?? `Incident ${spec.trackingId}`,
    summary: `${spec.stage} communication ${spec.communicationId}`,
    services: spec.services ?? ['Virtual Machines'],
    regions: spec.regions ?? ['East US', 'West Europe'],
    scope: spec.subscriptionId ? { ...EMPTY_SCOPE, subscriptionIds: [spec.subscriptionId] } : EMPTY_SCOPE,
    startedAt: spec.startedAt === undefined ? '2026-02-02T19:46:00.000Z' : spec.startedAt,
    updatedAt: spec.updatedAt,
    resolvedAt: status === 'resolved' ? spec.updatedAt : null,
    links: [],
    evidence: null,
    stage: spec.stage,
    attributes: { trackingId: spec.trackingId, communicationId: spec.communicationId, ...spec.attributes },
  });
}

export interface AwsUpdateSpec {
  readonly eventArn: string;
  readonly communicationId: string;
  readonly statusCode: 'open' | 'closed' | 'upcoming';
  readonly updatedAt: string;
  readonly accountId: string;
  readonly resources?: string[];
  readonly services?: string[];
  readonly regions?: string[];
}

export function buildAwsHealthEvent(spec: AwsUpdateSpec): ProviderCloudEvent {
  const status: Status =
    spec.statusCode === 'closed' ? 'resolved' : spec.statusCode === 'upcoming' ? 'scheduled' : 'active';
  const communication = spec.communicationId.replace(/-\d+$/, '');
  return createProviderEvent(EVENT_TYPES.providerIncident, {
    schemaVersion: 1,
    provider: 'aws',
    origin: 'aws-health',
    incidentKey: `aws:${spec.eventArn}`,
    updateKey: `aws:${spec.eventArn}:${communication}:${spec.statusCode}`,
    category: 'incident',
    status,
    severity: status === 'resolved' ? 'info' : 'error',
    title: 'AWS_EC2_OPERATIONAL_ISSUE',
    summary: 'Increased API error rates',
    services: spec.services ?? ['EC2'],
    regions: spec.regions ?? ['us-east-1'],
    scope: { ...EMPTY_SCOPE, accountIds: [spec.accountId], resourceIds: spec.resources ?? [] },
    startedAt: '2026-02-02T19:00:00.000Z',
    updatedAt: spec.updatedAt,
    resolvedAt: status === 'resolved' ? spec.updatedAt : null,
    links: [],
    evidence: null,
    stage: spec.statusCode,
    attributes: { eventArn: spec.eventArn, communicationId: spec.communicationId },
  });
}

export interface ProbeSpec {
  readonly targetId: string;
  readonly vantageId: string;
  readonly roundId: string;
  readonly outcome: 'up' | 'down' | 'degraded' | 'inconclusive';
  readonly at: string;
  readonly reason?: 'vantage-impaired' | 'event-loop-lag' | 'round-deadline' | 'aborted' | null;
  readonly control?: boolean;
  readonly plane?: 'dns' | 'edge' | 'identity' | 'control' | 'data' | 'mail' | 'status' | 'control-target';
  readonly services?: string[];
  readonly regions?: string[];
  readonly cloud?: 'azure' | 'aws' | 'local' | 'other';
}

export function buildProbeEvent(spec: ProbeSpec): ProbeCloudEvent {
  const failed = spec.outcome === 'down';
  return createProbeResultEvent({
    kind: PROBE_RESULT_KIND,
    roundId: spec.roundId,
    target: {
      id: spec.targetId,
      name: spec.targetId,
      kind: 'http',
      address: `https://${spec.targetId}.example.net/`,
      control: spec.control ?? false,
    },
    vantage: { id: spec.vantageId, cloud: spec.cloud ?? 'aws', region: 'eu-west-1' },
    plane: spec.plane ?? (spec.control ? 'control-target' : 'control'),
    outcome: spec.outcome,
    reason: spec.outcome === 'inconclusive' ? (spec.reason ?? 'round-deadline') : null,
    startedAt: spec.at,
    finishedAt: spec.at,
    latencyMs: spec.outcome === 'inconclusive' ? null : 120,
    phases: { dnsMs: 1, connectMs: 2, tlsMs: 3, firstByteMs: 100, totalMs: 120 },
    error: failed ? 'HTTP_502' : null,
    errorDetail: null,
    services: spec.services ?? ['Azure Resource Manager'],
    regions: spec.regions ?? ['Global'],
    observations: {},
  });
}

/** Minute `n` after a base instant, as ISO UTC. */
export function minute(n: number, base = '2026-02-02T19:00:00.000Z'): string {
  return new Date(Date.parse(base) + n * 60_000).toISOString();
}

/** A deterministic Fisher–Yates shuffle (mulberry32). */
export function shuffleWithSeed<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

/** The acceptance storm: one Azure incident, 4 published updates, each via every subscription, `copies` times. */
export function buildAzureStorm(subscriptions: readonly string[], copies: number): ProviderCloudEvent[] {
  const updates = [
    { communicationId: '1001', stage: 'Active', updatedAt: '2026-02-02T20:13:51.000Z' },
    { communicationId: '1002', stage: 'Active', updatedAt: '2026-02-02T21:05:00.000Z' },
    { communicationId: '1003', stage: 'Resolved', updatedAt: '2026-02-03T01:30:00.000Z' },
    { communicationId: '1004', stage: 'RCA', updatedAt: '2026-02-06T10:00:00.000Z' },
  ];
  const events: ProviderCloudEvent[] = [];
  for (const update of updates) {
    for (const subscriptionId of subscriptions) {
      for (let copy = 0; copy < copies; copy++) {
        events.push(buildAzureServiceHealthEvent({ trackingId: 'FNJ8-VQZ', subscriptionId, ...update }));
      }
    }
  }
  return events;
}

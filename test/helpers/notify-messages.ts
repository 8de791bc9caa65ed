/**
 * Builders for notify tests: engine decisions and incident records (probe and provider), a ready
 * NotificationMessage, a SendContext, and a recording HTTP server on 127.0.0.1 that answers with a
 * scripted reply per request.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createDecision, type Decision, type DecisionDraft } from '../../shared/engine/decision.ts';
import type { IncidentRecord, ProbeState, VantageState } from '../../shared/engine/incident-record.ts';
import { createNotificationMessage, type NotificationMessage } from '../../shared/notify/message.ts';
import type { SendContext } from '../../shared/notify/sink.ts';
import { type Loopback, startHttpServer } from './loopback-servers.ts';

export const DECIDED_AT = '2026-02-02T19:20:00.000Z';

export function buildVantage(
  id: string,
  failing: boolean,
  overrides: Partial<VantageState> = {},
): VantageState {
  return {
    id,
    cloud: id.startsWith('aws') ? 'aws' : 'azure',
    region: id.replace(/^(aws|azure)-/, ''),
    window: failing ? 'uuuddd' : 'uuuuuu',
    consecutiveFailures: failing ? 3 : 0,
    consecutiveSuccesses: failing ? 0 : 6,
    resultsSinceChange: 3,
    failing,
    failingSince: failing ? '2026-02-02T19:15:00.000Z' : null,
    lastResultAt: '2026-02-02T19:19:30.000Z',
    lastOutcome: failing ? 'down' : 'up',
    lastError: failing ? 'HTTP_502' : null,
    lastLatencyMs: 530,
    lastInconclusiveAt: null,
    lastInconclusiveReason: null,
    rounds: [],
    ...overrides,
  };
}

export function buildProbeIncident(
  overrides: Partial<IncidentRecord> = {},
  state: Partial<ProbeState> = {},
): IncidentRecord {
  const vantages = [
    buildVantage('aws-eu-west-1', true),
    buildVantage('aws-us-east-1', true),
    buildVantage('azure-westeurope', true),
  ];
  return {
    schema: 1,
    incidentKey: 'probe:control-arm',
    kind: 'probe',
    status: 'open',
    provider: 'crosswatch',
    origin: 'probe',
    category: 'probe',
    title: 'Azure Resource Manager (control plane)',
    summary: 'status 502, expected one of 401',
    severity: 'critical',
    stage: null,
    services: ['Azure Resource Manager'],
    regions: ['Global'],
    scope: { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] },
    scopeOverflow: 0,
    startedAt: '2026-02-02T19:15:00.000Z',
    openedAt: '2026-02-02T19:17:00.000Z',
    resolvedAt: null,
    firstSeenAt: '2026-02-02T18:00:00.000Z',
    lastChangedAt: DECIDED_AT,
    episode: 1,
    episodeOpened: true,
    episodeResolved: false,
    openSuppressedBy: null,
    decisionSeq: 1,
    journal: [],
    providerState: null,
    probeState: {
      targetId: 'control-arm',
      targetName: 'Azure Resource Manager',
      address: 'https://management.azure.com/subscriptions?api-version=2022-12-01',
      control: false,
      plane: 'control',
      vantages: Object.fromEntries(vantages.map((v) => [v.id, v])),
      verdict: 'provider-outage',
      verdictSince: '2026-02-02T19:17:00.000Z',
      outageSince: '2026-02-02T19:17:00.000Z',
      detectedAt: '2026-02-02T19:17:00.000Z',
      acknowledgedAt: null,
      leadTimeMs: null,
      acknowledgedBy: [],
      unacknowledgedEscalated: false,
      ...state,
    },
    ...overrides,
  };
}

export function buildProviderIncident(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    schema: 1,
    incidentKey: 'azure:1LTK-9ZZ',
    kind: 'provider',
    status: 'open',
    provider: 'azure',
    origin: 'azure-monitor-common',
    category: 'incident',
    title: 'Virtual Machines: service management failures in East US',
    summary:
      'Starting at 19:46 UTC customers may experience failures when performing service management operations.',
    severity: 'error',
    stage: 'Active',
    services: ['Virtual Machines'],
    regions: ['East US'],
    scope: { tenantIds: [], subscriptionIds: ['sub-1', 'sub-2'], accountIds: [], resourceIds: [] },
    scopeOverflow: 0,
    startedAt: '2026-02-02T19:46:00.000Z',
    openedAt: '2026-02-02T19:50:00.000Z',
    resolvedAt: null,
    firstSeenAt: '2026-02-02T19:50:00.000Z',
    lastChangedAt: '2026-02-02T19:50:00.000Z',
    episode: 1,
    episodeOpened: true,
    episodeResolved: false,
    openSuppressedBy: null,
    decisionSeq: 1,
    journal: [],
    providerState: {
      applied: {},
      appliedOrder: [],
      headKey: 'azure:1LTK-9ZZ:c1:Active',
      firstPublishedAt: '2026-02-02T19:50:00.000Z',
    },
    probeState: null,
    ...overrides,
  };
}

export function buildDecision(
  incident: IncidentRecord | null,
  overrides: Partial<DecisionDraft> = {},
): Decision {
  return createDecision({
    kind: 'open',
    reason: null,
    suppressedKind: null,
    incidentKey: incident?.incidentKey ?? 'watchdog:azure-prod',
    updateKey: `${incident?.incidentKey ?? 'watchdog'}:u1`,
    eventId: null,
    stale: false,
    decidedAt: DECIDED_AT,
    eventTime: DECIDED_AT,
    status: incident?.status ?? 'open',
    verdict: incident?.probeState?.verdict ?? null,
    stage: incident?.stage ?? null,
    title: incident?.title ?? 'Deployment azure-prod stopped sending heartbeats',
    severity: incident?.severity ?? 'critical',
    provider: incident?.provider ?? null,
    category: incident?.category ?? null,
    seq: 1,
    ...overrides,
  });
}

/** A probe provider-outage message with a status page link. */
export function buildMessage(overrides: Partial<NotificationMessage> = {}): NotificationMessage {
  const incident = buildProbeIncident();
  const message = createNotificationMessage(buildDecision(incident), incident, {
    statusPageBaseUrl: 'https://status.example.com',
  });
  return { ...message, ...overrides };
}

export function buildContext(overrides: Partial<SendContext> = {}): SendContext {
  return { deliveryId: 'd-0123456789abcdef', attempt: 1, signal: new AbortController().signal, ...overrides };
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ScriptedReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Never answer (the client must abort). */
  readonly hang?: boolean;
}

export interface RecordingServer extends Loopback {
  readonly requests: RecordedRequest[];
}

/** Answers each request with `reply(request, index)`, recording every request. */
export async function startRecordingServer(
  reply: (request: RecordedRequest, index: number) => ScriptedReply,
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = await startHttpServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const scripted = reply(recorded, requests.length - 1);
      if (scripted.hang) return;
      response.writeHead(scripted.status, scripted.headers ?? {});
      response.end(scripted.body ?? '');
    });
  });
  return { ...server, requests };
}

/**
 * The message model: one sink-neutral description of what to tell people about one decision.
 * Renderers in `render/` turn it into each sink's format (Block Kit, Adaptive Card, PagerDuty
 * payload, email, SMS text); `createNotificationMessage` builds it from a decision and its incident.
 */
import type { Decision, DecisionKind, Verdict } from '../engine/decision.ts';
import { DEFAULT_ENGINE_CONFIG } from '../engine/engine-config.ts';
import type { IncidentRecord } from '../engine/incident-record.ts';
import { describeGuidance, describeHeadline, readTrackingId } from './describe-incident.ts';
import { truncateText } from './render/truncate-text.ts';
import { listScopeSubscriptions } from './routing.ts';

/** What the sink should do with the alert it keeps for this incident (PagerDuty, Opsgenie). */
export type AlertAction = 'trigger' | 'resolve' | 'info';

export interface NotificationMessage {
  /** The decision this message reports (also the outbox's dedupe unit together with the sink). */
  readonly decisionId: string;
  readonly decisionKind: DecisionKind;
  /** Why the decision was taken (`unacknowledged`, `silence-ended`, …) or null. */
  readonly reason: string | null;
  readonly action: AlertAction;
  /** Stable per incident: PagerDuty dedup_key / Opsgenie alias are derived from it. */
  readonly incidentKey: string;
  readonly updateKey: string;
  readonly provider: string;
  readonly category: string;
  readonly status: 'open' | 'resolved';
  readonly severity: 'critical' | 'error' | 'warning' | 'info';
  /** One line: "[OPEN] Azure Virtual Machines: service management failures in East US". */
  readonly title: string;
  /** The verdict line, e.g. "Azure control plane failing from 3 of 3 vantages, not acknowledged by Microsoft yet". */
  readonly headline: string;
  readonly verdict: Verdict | null;
  readonly plane: string | null;
  readonly services: readonly string[];
  readonly regions: readonly string[];
  /**
   * The subscriptions (Azure) or accounts (AWS) the incident was seen from that this message is
   * about — all of them, or with per-subscription routing only the ones routed to this sink — at most
   * MESSAGE_LIMITS.subscriptions; `subscriptionCount` is how many there are in all. Absent in messages
   * queued before they were added.
   */
  readonly subscriptions?: readonly string[];
  readonly subscriptionCount?: number;
  /** Plain text from the provider or the probes (untrusted: renderers escape it per sink). */
  readonly summary: string;
  /** What is observed (facts), for the operator's own communication. */
  readonly seen: readonly string[];
  /** What is likely (inferences), clearly separated from what is seen. */
  readonly likely: readonly string[];
  readonly acknowledgement: {
    readonly acknowledged: boolean;
    readonly trackingIds: readonly string[];
    readonly acknowledgedAt: string | null;
  };
  /** How long before the provider said so crosswatch knew, in ms (null when not known). */
  readonly leadTimeMs: number | null;
  readonly startedAt: string | null;
  readonly decidedAt: string;
  readonly links: readonly { readonly label: string; readonly url: string }[];
  /** The incident's page on crosswatch's own status page, when one is configured. */
  readonly statusPageUrl: string | null;
}

export interface NotificationMessageOptions {
  /** crosswatch's own status page; the message links `<base>/incidents/<incidentKey>`. */
  readonly statusPageBaseUrl?: string | null;
  /** The clock used to judge vantage freshness (defaults to the decision's time). */
  readonly now?: Date;
  /** Provider links from the event (status page, tracking link); only http(s) URLs are kept. */
  readonly links?: readonly { readonly label: string; readonly url: string }[];
  /** A vantage's latest result counts while at most this old (defaults to the engine's). */
  readonly freshnessMs?: number;
  /** Name only these subscriptions (per-subscription routing); default: every one in the incident's scope. */
  readonly subscriptions?: readonly string[] | null;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** Bounds that keep a message small enough for any store row (DynamoDB items ≤ 400 KB); renderers cut further. */
export const MESSAGE_LIMITS = { title: 1_000, summary: 20_000, subscriptions: 100 } as const;

const TITLE_PREFIXES: Readonly<Record<DecisionKind, string>> = {
  open: 'OPEN',
  update: 'UPDATE',
  resolve: 'RESOLVED',
  reopen: 'REOPENED',
  duplicate: 'DUPLICATE',
  suppressed: 'SUPPRESSED',
  escalate: 'ESCALATION',
  recover: 'RECOVERED',
  observe: 'INFO',
};

function selectAction(kind: DecisionKind, status: 'open' | 'resolved'): AlertAction {
  switch (kind) {
    case 'open':
    case 'reopen':
    case 'escalate':
      return 'trigger';
    case 'resolve':
    case 'recover':
      return 'resolve';
    case 'update':
      // An update after resolution (a root cause analysis) must not re-open the alert.
      return status === 'open' ? 'trigger' : 'info';
    default:
      return 'info';
  }
}

function selectSeverity(value: string | null | undefined): NotificationMessage['severity'] {
  return SEVERITIES.find((severity) => severity === value) ?? 'warning';
}

function isWebUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** The incident's page on crosswatch's status page, or null when none is configured. */
export function buildStatusPageUrl(baseUrl: string | null | undefined, incidentKey: string): string | null {
  if (!baseUrl || !isWebUrl(baseUrl)) return null;
  return `${baseUrl.replace(/\/+$/, '')}/incidents/${encodeURIComponent(incidentKey)}`;
}

/**
 * Builds the message for one decision. `incident` is null for decisions without an incident document
 * (watchdog and health-source escalations); their words come from the decision alone.
 */
export function createNotificationMessage(
  decision: Decision,
  incident: IncidentRecord | null,
  options: NotificationMessageOptions = {},
): NotificationMessage {
  const now = (options.now ?? new Date(decision.decidedAt)).getTime();
  const freshnessMs = options.freshnessMs ?? DEFAULT_ENGINE_CONFIG.verdict.freshnessMs;
  const status = decision.status ?? incident?.status ?? 'open';
  const probe = incident?.probeState ?? null;
  const subscriptions = options.subscriptions ?? listScopeSubscriptions(incident?.scope);
  const { seen, likely } = describeGuidance(decision, incident, now, freshnessMs, subscriptions);
  const acknowledgedBy = probe?.acknowledgedBy ?? [];
  const isProvider = incident?.kind === 'provider';
  const statusPageUrl = buildStatusPageUrl(options.statusPageBaseUrl, decision.incidentKey);
  const links = (options.links ?? []).filter((link) => isWebUrl(link.url));
  return {
    decisionId: decision.id,
    decisionKind: decision.kind,
    reason: decision.reason,
    action: selectAction(decision.kind, status),
    incidentKey: decision.incidentKey,
    updateKey: decision.updateKey,
    provider: incident?.provider ?? decision.provider ?? 'crosswatch',
    category: incident?.category ?? decision.category ?? 'crosswatch',
    status,
    severity: selectSeverity(decision.severity ?? incident?.severity),
    title: truncateText(
      `[${TITLE_PREFIXES[decision.kind]}] ${decision.title ?? incident?.title ?? decision.incidentKey}`,
      MESSAGE_LIMITS.title,
    ),
    headline: describeHeadline(decision, incident, now, freshnessMs),
    verdict: probe?.verdict ?? decision.verdict ?? null,
    plane: probe?.plane ?? null,
    services: [...(incident?.services ?? [])],
    regions: [...(incident?.regions ?? [])],
    subscriptions: subscriptions.slice(0, MESSAGE_LIMITS.subscriptions),
    subscriptionCount: subscriptions.length,
    summary: truncateText(incident?.summary ?? '', MESSAGE_LIMITS.summary),
    seen,
    likely,
    acknowledgement: {
      // A provider notice is its own acknowledgement.
      acknowledged: isProvider || acknowledgedBy.length > 0,
      trackingIds: isProvider
        ? [readTrackingId(decision.incidentKey)]
        : acknowledgedBy.map((ack) => readTrackingId(ack.incidentKey)),
      acknowledgedAt: isProvider
        ? (incident?.providerState?.firstPublishedAt ?? null)
        : (probe?.acknowledgedAt ?? null),
    },
    leadTimeMs: probe?.leadTimeMs ?? null,
    startedAt: incident?.startedAt ?? null,
    decidedAt: decision.decidedAt,
    links: statusPageUrl ? [...links, { label: 'Status page', url: statusPageUrl }] : links,
    statusPageUrl,
  };
}

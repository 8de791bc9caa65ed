/**
 * PagerDuty Events API v2: `trigger` and `resolve` with the same `dedup_key` (≤ 255 chars, derived
 * from the incidentKey) and routing key. Summary ≤ 1,024 chars; severity is one of critical, error,
 * warning, info; timestamps are ISO 8601.
 */
import type { NotificationMessage } from '../message.ts';
import { deriveBoundedKey } from './bounded-key.ts';
import { listWebLinks } from './message-facts.ts';
import { truncateText } from './truncate-text.ts';

export const PAGERDUTY_LIMITS = { dedupKey: 255, summary: 1_024, source: 255, customText: 4_000 } as const;

export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: 'critical' | 'error' | 'warning' | 'info';
    readonly timestamp: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details: Record<string, unknown>;
  };
  readonly client?: string;
  readonly client_url?: string;
  readonly links?: { href: string; text: string }[];
}

export function derivePagerDutyDedupKey(incidentKey: string): string {
  return deriveBoundedKey(incidentKey, PAGERDUTY_LIMITS.dedupKey);
}

/** The event for a trigger or resolve message (an `info` message has no PagerDuty event). */
export function renderPagerDutyEvent(
  message: NotificationMessage,
  routingKey: string,
  action: 'trigger' | 'resolve',
): PagerDutyEvent {
  const dedupKey = derivePagerDutyDedupKey(message.incidentKey);
  if (action === 'resolve') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const links = listWebLinks(message).map((link) => ({
    href: link.url,
    text: truncateText(link.label, 200),
  }));
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncateText(`${message.title} — ${message.headline}`, PAGERDUTY_LIMITS.summary),
      source: truncateText(
        message.plane ? `crosswatch/${message.provider}/${message.plane}` : `crosswatch/${message.provider}`,
        PAGERDUTY_LIMITS.source,
      ),
      severity: message.severity,
      timestamp: message.decidedAt,
      ...(message.plane
        ? { component: message.plane }
        : message.services[0]
          ? { component: truncateText(message.services[0], 255) }
          : {}),
      group: message.provider,
      class: message.category,
      custom_details: {
        headline: message.headline,
        verdict: message.verdict,
        status: message.status,
        seen: message.seen.map((item) => truncateText(item, 500)),
        likely: message.likely.map((item) => truncateText(item, 500)),
        services: message.services.slice(0, 50),
        regions: message.regions.slice(0, 50),
        ...(message.subscriptions?.length ? { subscriptions: message.subscriptions.slice(0, 50) } : {}),
        acknowledged: message.acknowledgement.acknowledged,
        tracking_ids: message.acknowledgement.trackingIds.slice(0, 20),
        lead_time_ms: message.leadTimeMs,
        incident_key: truncateText(message.incidentKey, 1_000),
        decision: `${message.decisionKind}${message.reason ? ` (${message.reason})` : ''} ${message.decisionId}`,
        summary: truncateText(message.summary, PAGERDUTY_LIMITS.customText),
      },
    },
    client: 'crosswatch',
    ...(message.statusPageUrl ? { client_url: message.statusPageUrl } : {}),
    ...(links.length > 0 ? { links } : {}),
  };
}

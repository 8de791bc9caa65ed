/**
 * Opsgenie Alert API: create with `alias` (≤ 512 chars, derived from the incidentKey) as the dedupe
 * key, `message` ≤ 130, `description` ≤ 15,000, tags ≤ 20 × 50, details as a string map; close by
 * alias with a note.
 */
import type { NotificationMessage } from '../message.ts';
import { deriveBoundedKey } from './bounded-key.ts';
import { listFacts } from './message-facts.ts';
import { truncateText } from './truncate-text.ts';

export const OPSGENIE_LIMITS = {
  alias: 512,
  message: 130,
  description: 15_000,
  note: 25_000,
  tag: 50,
  tags: 20,
  entity: 512,
  source: 100,
  detailValue: 1_000,
} as const;

const PRIORITIES: Readonly<Record<NotificationMessage['severity'], string>> = {
  critical: 'P1',
  error: 'P2',
  warning: 'P3',
  info: 'P5',
};

export interface OpsgenieCreateAlert {
  readonly message: string;
  readonly alias: string;
  readonly description: string;
  readonly tags: string[];
  readonly details: Record<string, string>;
  readonly entity: string;
  readonly source: string;
  readonly priority: string;
}

export interface OpsgenieCloseAlert {
  readonly user: string;
  readonly source: string;
  readonly note: string;
}

export function deriveOpsgenieAlias(incidentKey: string): string {
  return deriveBoundedKey(incidentKey, OPSGENIE_LIMITS.alias);
}

/** Plain text: headline, facts, seen, likely, summary, links. */
export function describeForOpsgenie(message: NotificationMessage, maxLength: number): string {
  const lines = [message.headline, ''];
  for (const fact of listFacts(message)) lines.push(`${fact.label}: ${fact.value}`);
  if (message.seen.length > 0) lines.push('', 'Seen:', ...message.seen.map((item) => `- ${item}`));
  if (message.likely.length > 0) lines.push('', 'Likely:', ...message.likely.map((item) => `- ${item}`));
  const links = message.links.map((link) => `${link.label}: ${link.url}`);
  if (links.length > 0) lines.push('', ...links);
  const head = lines.join('\n');
  const summary = message.summary.trim() === '' ? '' : `\n\n${message.summary}`;
  if (head.length >= maxLength) return truncateText(head, maxLength);
  return head + truncateText(summary, maxLength - head.length);
}

function toTag(value: string): string {
  return truncateText(value.replace(/\s+/g, '-'), OPSGENIE_LIMITS.tag);
}

export function renderOpsgenieCreate(message: NotificationMessage): OpsgenieCreateAlert {
  const tags = [
    'crosswatch',
    message.provider,
    message.category,
    message.severity,
    ...(message.verdict ? [message.verdict] : []),
    ...(message.plane ? [`plane-${message.plane}`] : []),
  ].map(toTag);
  const details: Record<string, string> = {
    incidentKey: truncateText(message.incidentKey, OPSGENIE_LIMITS.detailValue),
    decision: `${message.decisionKind} ${message.decisionId}`,
    status: message.status,
    acknowledged: message.acknowledgement.acknowledged ? 'yes' : 'no',
  };
  if (message.verdict) details.verdict = message.verdict;
  if (message.acknowledgement.trackingIds.length > 0) {
    details.trackingIds = truncateText(
      message.acknowledgement.trackingIds.join(', '),
      OPSGENIE_LIMITS.detailValue,
    );
  }
  if (message.subscriptions?.length) {
    details.subscriptions = truncateText(message.subscriptions.join(', '), OPSGENIE_LIMITS.detailValue);
  }
  if (message.statusPageUrl)
    details.statusPage = truncateText(message.statusPageUrl, OPSGENIE_LIMITS.detailValue);
  return {
    message: truncateText(`${message.title}`, OPSGENIE_LIMITS.message),
    alias: deriveOpsgenieAlias(message.incidentKey),
    description: describeForOpsgenie(message, OPSGENIE_LIMITS.description),
    tags: [...new Set(tags)].slice(0, OPSGENIE_LIMITS.tags),
    details,
    entity: truncateText(message.services[0] ?? message.plane ?? message.provider, OPSGENIE_LIMITS.entity),
    source: 'crosswatch',
    priority: PRIORITIES[message.severity],
  };
}

export function renderOpsgenieClose(message: NotificationMessage): OpsgenieCloseAlert {
  return {
    user: 'crosswatch',
    source: 'crosswatch',
    note: truncateText(`${message.title} — ${message.headline}`, OPSGENIE_LIMITS.note),
  };
}

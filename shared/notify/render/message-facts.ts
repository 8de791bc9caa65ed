/**
 * The label/value pairs every rich renderer shows (Slack fields, Adaptive Card facts, email table),
 * in one order, from the message model. Values are plain, unescaped text.
 */
import { describeLeadTime } from '../format-duration.ts';
import type { NotificationMessage } from '../message.ts';

export interface Fact {
  readonly label: string;
  readonly value: string;
}

const ACKNOWLEDGERS: Readonly<Record<string, string>> = { azure: 'Microsoft', m365: 'Microsoft', aws: 'AWS' };

export function listFacts(message: NotificationMessage): Fact[] {
  const facts: Fact[] = [
    { label: 'Status', value: message.status },
    { label: 'Severity', value: message.severity },
  ];
  if (message.verdict) facts.push({ label: 'Verdict', value: message.verdict });
  if (message.plane) facts.push({ label: 'Plane', value: message.plane });
  if (message.services.length > 0) facts.push({ label: 'Services', value: message.services.join(', ') });
  if (message.regions.length > 0) facts.push({ label: 'Regions', value: message.regions.join(', ') });
  const ack = message.acknowledgement;
  facts.push({
    label: 'Provider acknowledgement',
    value: ack.acknowledged
      ? `yes${ack.trackingIds.length > 0 ? ` (${ack.trackingIds.join(', ')})` : ''}${ack.acknowledgedAt ? ` at ${ack.acknowledgedAt}` : ''}`
      : 'not yet',
  });
  const lead = describeLeadTime(message.leadTimeMs, ACKNOWLEDGERS[message.provider] ?? 'the provider');
  if (lead) facts.push({ label: 'Lead time', value: lead });
  if (message.startedAt) facts.push({ label: 'Started', value: message.startedAt });
  facts.push({ label: 'Decided', value: message.decidedAt });
  return facts;
}

/** Longer link URLs are dropped rather than cut (a cut URL leads somewhere else). */
export const MAX_LINK_URL_LENGTH = 2_048;

/** Links to show: http(s) only (a `javascript:` link never reaches a renderer), bounded length. */
export function listWebLinks(message: NotificationMessage): { label: string; url: string }[] {
  return message.links.filter(
    (link) => /^https?:\/\//i.test(link.url) && link.url.length <= MAX_LINK_URL_LENGTH,
  );
}

/**
 * A Microsoft Teams Workflows webhook message: the Adaptive Card (1.4) envelope
 * `{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }] }`.
 * Untrusted text goes through `escapeCardText` (TextBlock markdown: `\`-escapes for markdown
 * punctuation, `{{` broken so no DATE()/TIME() function runs; HTML is shown as text by Teams).
 * The whole envelope stays ≤ TEAMS_MAX_BYTES: fields are capped and the summary is cut to fit.
 */
import type { NotificationMessage } from '../message.ts';
import { listFacts, listWebLinks } from './message-facts.ts';
import { escapeAndTruncate, truncateText } from './truncate-text.ts';

/** Teams refuses messages over 28 KB; keep a margin for the HTTP framing Teams counts. */
export const TEAMS_MAX_BYTES = 28 * 1024 - 512;
export const ADAPTIVE_CARD_VERSION = '1.4';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const MARKDOWN_PUNCTUATION = new Set(['\\', '*', '_', '[', ']', '(', ')', '`', '~', '#', '>', '<', '!', '|']);

function escapeCardChar(char: string): string {
  return MARKDOWN_PUNCTUATION.has(char) ? `\\${char}` : char;
}

/** Escapes untrusted text for a TextBlock / FactSet value, at most `maxLength` chars after escaping. */
export function escapeCardText(text: string, maxLength = 2_000): string {
  const escaped = escapeAndTruncate(text, maxLength, escapeCardChar)
    .replace(/\{\{/g, '{\u200b{')
    .replace(/\}\}/g, '}\u200b}');
  // A line starting with "-", "+" or "1." would become a list item.
  return escaped.replace(/^(\s*)([-+])(\s)/gm, '$1\\$2$3').replace(/^(\s*)(\d+)\.(\s)/gm, '$1$2\\.$3');
}

export interface AdaptiveCard {
  readonly $schema: string;
  readonly type: 'AdaptiveCard';
  readonly version: string;
  readonly body: Record<string, unknown>[];
  readonly actions?: Record<string, unknown>[];
  readonly msteams?: Record<string, unknown>;
}

export interface TeamsEnvelope {
  readonly type: 'message';
  readonly attachments: [
    { contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: AdaptiveCard },
  ];
}

const COLORS: Readonly<Record<string, string>> = { trigger: 'Attention', resolve: 'Good', info: 'Default' };

function buildCard(message: NotificationMessage, summary: string): AdaptiveCard {
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: escapeCardText(message.title, 300),
      size: 'Large',
      weight: 'Bolder',
      wrap: true,
      color: COLORS[message.action] ?? 'Default',
    },
    { type: 'TextBlock', text: escapeCardText(message.headline, 1_000), weight: 'Bolder', wrap: true },
    {
      type: 'FactSet',
      facts: listFacts(message).map((fact) => ({
        title: fact.label,
        value: escapeCardText(fact.value, 500),
      })),
    },
  ];
  const section = (label: string, items: readonly string[]) => {
    if (items.length === 0) return;
    body.push({ type: 'TextBlock', text: label, weight: 'Bolder', wrap: true, spacing: 'Medium' });
    for (const item of items.slice(0, 12)) {
      body.push({ type: 'TextBlock', text: `• ${escapeCardText(item, 500)}`, wrap: true, spacing: 'Small' });
    }
  };
  section('Seen', message.seen);
  section('Likely', message.likely);
  if (summary !== '')
    body.push({ type: 'TextBlock', text: summary, wrap: true, separator: true, isSubtle: true });
  body.push({
    type: 'TextBlock',
    text: escapeCardText(
      `${message.incidentKey} · ${message.decisionKind} · decision ${message.decisionId}`,
      600,
    ),
    wrap: true,
    size: 'Small',
    isSubtle: true,
  });
  const actions = listWebLinks(message)
    .slice(0, 5)
    .map((link) => ({
      type: 'Action.OpenUrl',
      title: truncateText(link.label || 'Link', 60),
      url: link.url,
    }));
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

function wrap(card: AdaptiveCard): TeamsEnvelope {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
  };
}

function measure(envelope: TeamsEnvelope): number {
  return Buffer.byteLength(JSON.stringify(envelope), 'utf8');
}

/** The envelope to POST; its JSON is at most `maxBytes` (the summary is shortened to fit). */
export function renderTeamsMessage(message: NotificationMessage, maxBytes = TEAMS_MAX_BYTES): TeamsEnvelope {
  // 28 KB cannot hold more than this many characters of summary anyway.
  const summary = truncateText(message.summary, TEAMS_MAX_BYTES);
  const full = escapeCardText(summary, 2 * TEAMS_MAX_BYTES);
  let envelope = wrap(buildCard(message, full));
  if (measure(envelope) <= maxBytes) return envelope;
  // Binary search on the summary's escaped length: the longest that still fits.
  let low = 0;
  let high = full.length;
  let best = wrap(buildCard(message, ''));
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = wrap(buildCard(message, middle === 0 ? '' : escapeCardText(summary, middle)));
    if (measure(candidate) <= maxBytes) {
      best = candidate;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  envelope = best;
  return envelope;
}

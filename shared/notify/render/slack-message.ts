/**
 * Slack Block Kit for an incoming webhook. Untrusted text goes through `escapeSlackText`: `&`, `<`
 * and `>` become entities (so no `<!channel>`, `<@U…>` or `<url|label>` can be injected) and the
 * formatting characters `*` `_` `~` `` ` `` become look-alikes (mrkdwn has no escape character).
 * Limits: top-level text ≤ 40,000 chars, section text ≤ 3,000, fields ≤ 10 × 2,000, header ≤ 150,
 * ≤ 50 blocks; truncation never cuts an entity or a surrogate pair.
 */
import type { NotificationMessage } from '../message.ts';
import { listFacts, listWebLinks } from './message-facts.ts';
import { escapeAndTruncate, truncateText } from './truncate-text.ts';

export const SLACK_LIMITS = {
  text: 40_000,
  sectionText: 3_000,
  fieldText: 2_000,
  fields: 10,
  headerText: 150,
  blocks: 50,
  buttonText: 75,
  buttonUrl: 3_000,
  actionsElements: 25,
} as const;

const SLACK_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '*': '∗',
  _: 'ˍ',
  '~': '∼',
  '`': 'ˋ',
};

function escapeSlackChar(char: string): string {
  return SLACK_ESCAPES[char] ?? char;
}

/** Escapes untrusted text for mrkdwn, truncated to `maxLength` after escaping. */
export function escapeSlackText(text: string, maxLength: number = SLACK_LIMITS.text): string {
  return escapeAndTruncate(text, maxLength, escapeSlackChar);
}

export interface SlackTextObject {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackTextObject }
  | { readonly type: 'section'; readonly text?: SlackTextObject; readonly fields?: SlackTextObject[] }
  | { readonly type: 'context'; readonly elements: SlackTextObject[] }
  | { readonly type: 'divider' }
  | {
      readonly type: 'actions';
      readonly elements: {
        type: 'button';
        text: SlackTextObject;
        url: string;
        action_id: string;
      }[];
    };

export interface SlackPayload {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

const STATUS_EMOJI: Readonly<Record<string, string>> = {
  trigger: ':rotating_light:',
  resolve: ':white_check_mark:',
  info: ':information_source:',
};

function bulletList(label: string, items: readonly string[]): string {
  const head = `*${label}*\n`;
  const budget = SLACK_LIMITS.sectionText - head.length;
  let body = '';
  for (const item of items) {
    const line = `• ${escapeSlackText(item, 500)}\n`;
    if (body.length + line.length > budget) break;
    body += line;
  }
  return head + body.trimEnd();
}

export function renderSlackMessage(message: NotificationMessage): SlackPayload {
  const blocks: SlackBlock[] = [];
  // Header text is plain_text: shown as typed, no mrkdwn parsing, so only the length matters.
  blocks.push({
    type: 'header',
    text: { type: 'plain_text', text: truncateText(message.title, SLACK_LIMITS.headerText), emoji: false },
  });
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `${STATUS_EMOJI[message.action] ?? ''} *${escapeSlackText(message.headline, SLACK_LIMITS.sectionText - 40)}*`,
    },
  });
  blocks.push({
    type: 'section',
    fields: listFacts(message)
      .slice(0, SLACK_LIMITS.fields)
      .map((fact) => ({
        type: 'mrkdwn' as const,
        text: `*${fact.label}*\n${escapeSlackText(fact.value, SLACK_LIMITS.fieldText - fact.label.length - 4)}`,
      })),
  });
  if (message.seen.length > 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: bulletList('Seen', message.seen) } });
  if (message.likely.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: bulletList('Likely', message.likely) } });
  }
  if (message.summary.trim() !== '') {
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: escapeSlackText(message.summary, SLACK_LIMITS.sectionText) },
    });
  }
  const buttons = listWebLinks(message)
    .filter((link) => link.url.length <= SLACK_LIMITS.buttonUrl)
    .slice(0, SLACK_LIMITS.actionsElements)
    .map((link, index) => ({
      type: 'button' as const,
      text: {
        type: 'plain_text' as const,
        text: truncateText(link.label || 'Link', SLACK_LIMITS.buttonText),
        emoji: false,
      },
      url: link.url,
      action_id: `link-${index}`,
    }));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: escapeSlackText(
          `${message.incidentKey} · ${message.decisionKind}${message.reason ? ` (${message.reason})` : ''} · decision ${message.decisionId}`,
          SLACK_LIMITS.sectionText,
        ),
      },
    ],
  });
  const fallback = `${message.title}: ${message.headline}`;
  return {
    text: escapeSlackText(fallback, SLACK_LIMITS.text),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

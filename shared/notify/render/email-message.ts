/**
 * Email: a one-line subject (CR/LF and other control characters removed — no header injection),
 * a plain-text body and an HTML body where every untrusted string is HTML-escaped and only http(s)
 * links become anchors.
 */
import type { NotificationMessage } from '../message.ts';
import { replaceControlCharacters } from './control-characters.ts';
import { listFacts, listWebLinks } from './message-facts.ts';
import { truncateText } from './truncate-text.ts';

export const EMAIL_LIMITS = { subject: 200, summary: 100_000 } as const;

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** One line without control characters, for a mail header. */
export function toHeaderLine(text: string, maxLength: number): string {
  return truncateText(replaceControlCharacters(text, ' ').replace(/\s+/g, ' ').trim(), maxLength);
}

export function renderEmail(message: NotificationMessage): EmailContent {
  const facts = listFacts(message);
  const links = listWebLinks(message);
  const summary = truncateText(message.summary, EMAIL_LIMITS.summary);
  const text = [
    message.headline,
    '',
    ...facts.map((fact) => `${fact.label}: ${fact.value}`),
    ...(message.seen.length > 0 ? ['', 'Seen:', ...message.seen.map((item) => `  - ${item}`)] : []),
    ...(message.likely.length > 0 ? ['', 'Likely:', ...message.likely.map((item) => `  - ${item}`)] : []),
    ...(summary.trim() !== '' ? ['', summary] : []),
    ...(links.length > 0 ? ['', ...links.map((link) => `${link.label}: ${link.url}`)] : []),
    '',
    `-- crosswatch · ${message.incidentKey} · ${message.decisionKind} · decision ${message.decisionId}`,
  ].join('\n');
  const list = (label: string, items: readonly string[]) =>
    items.length === 0
      ? ''
      : `<h3>${label}</h3><ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(message.title)}</h2>`,
    `<p><strong>${escapeHtml(message.headline)}</strong></p>`,
    '<table>',
    ...facts.map(
      (fact) => `<tr><th align="left">${escapeHtml(fact.label)}</th><td>${escapeHtml(fact.value)}</td></tr>`,
    ),
    '</table>',
    list('Seen', message.seen),
    list('Likely', message.likely),
    summary.trim() !== '' ? `<pre style="white-space:pre-wrap">${escapeHtml(summary)}</pre>` : '',
    links.length > 0
      ? `<p>${links.map((link) => `<a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a>`).join(' · ')}</p>`
      : '',
    `<p style="color:#666;font-size:small">crosswatch · ${escapeHtml(message.incidentKey)} · ${escapeHtml(message.decisionKind)} · decision ${escapeHtml(message.decisionId)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: toHeaderLine(`[crosswatch] ${message.title}`, EMAIL_LIMITS.subject), text, html };
}

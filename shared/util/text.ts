/**
 * Provider text arrives as HTML (Azure communications, Resource Health articles, Graph posts) or as
 * plain text with double-escaped newlines (an AWS sample). crosswatch emits plain text only: tags
 * removed, block elements turned into line breaks, entities decoded, whitespace tidied.
 */
import { decodeHTML } from 'entities/decode';
import { readString } from './read.ts';

const DROPPED_ELEMENT = /<\s*(script|style|head)\b[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi;
// Only real HTML element names are tags: `<resourceId>` or `<GUID>` in provider text is text.
const HTML_ELEMENTS =
  'a|abbr|b|big|blockquote|body|br|caption|center|code|col|colgroup|dd|del|div|dl|dt|em|font|h[1-6]|head|hr|html|i|img|ins|kbd|li|meta|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|tfoot|th|thead|title|tr|tt|u|ul';
/**
 * Every tag in one pass: group 1 is the closing slash, group 2 the element name. A tag is replaced
 * by what it means in plain text (a line break, a list bullet, a cell gap) or by nothing.
 */
const TAG = new RegExp(
  `<\\s*(\\/?)\\s*(${HTML_ELEMENTS})\\b[^<>]*>|<\\/<(?:${HTML_ELEMENTS})?>|<![^<>]*>`,
  'gi',
);
const COMMENT = /<!--[\s\S]*?-->/g;
const BREAK_ELEMENTS = new Set(['p', 'div', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table']);
/** Text that needs none of the whitespace passes below. */
const TIDY = /[\r\t\f\v\u00a0]| {2}| \n|\n |\n\n\n/;

function replaceTag(_tag: string, slash: string | undefined, name: string | undefined): string {
  if (name === undefined) return '';
  const element = name.toLowerCase();
  if (element === 'br' || element === 'hr') return '\n';
  if (slash) {
    if (BREAK_ELEMENTS.has(element)) return '\n';
    if (element === 'td' || element === 'th') return ' ';
    return '';
  }
  return element === 'li' ? '\n- ' : '';
}

/** Turns HTML or plain text into tidy plain text; `maxLength` caps the result (with an ellipsis). */
export function toPlainText(value: unknown, maxLength = 8000): string {
  let text = readString(value) ?? '';
  if (text.length === 0) return '';
  if (text.length > maxLength * 4) text = text.slice(0, maxLength * 4);
  if (text.includes('<')) {
    if (text.includes('<!--')) text = text.replace(COMMENT, '');
    if (/<\s*(?:script|style|head)\b/i.test(text)) text = text.replace(DROPPED_ELEMENT, '');
    text = text.replace(TAG, replaceTag);
  }
  if (text.includes('&')) text = decodeHTML(text);
  // A literal backslash-n sequence (double-escaped JSON text) means a newline.
  if (text.includes('\\n')) text = text.replace(/\\r\\n|\\n/g, '\n');
  if (TIDY.test(text)) {
    text = text
      .replace(/\r\n?/g, '\n')
      .replace(/[\t\f\v\u00a0 ]+/g, ' ')
      .replace(/ *\n */g, '\n')
      .replace(/\n{3,}/g, '\n\n');
  }
  text = text.trim();
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1).trimEnd()}…`;
  return text;
}

/** A one-line plain-text title. */
export function toPlainTitle(value: unknown, maxLength = 300): string {
  return toPlainText(value, maxLength * 2)
    .replace(/\s+/g, ' ')
    .slice(0, maxLength)
    .trim();
}

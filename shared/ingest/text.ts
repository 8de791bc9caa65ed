/**
 * Provider text arrives as HTML (Azure communications, Resource Health articles, Graph posts) or as
 * plain text with double-escaped newlines (an AWS sample). crosswatch emits plain text only: tags
 * removed, block elements turned into line breaks, entities decoded, whitespace tidied.
 */
import { decodeHTML } from 'entities/decode';
import { readString } from './read.ts';

const BLOCK_BREAK = /<\s*(?:br|\/p|\/div|\/tr|\/h[1-6]|\/ul|\/ol|\/table|hr)\b[^>]*>/gi;
const LIST_ITEM = /<\s*li\b[^>]*>/gi;
const CELL_END = /<\s*\/t[dh]\s*>/gi;
const DROPPED_ELEMENT = /<\s*(script|style|head)\b[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi;
// Only real HTML element names are tags: `<resourceId>` or `<GUID>` in provider text is text.
const HTML_ELEMENTS =
  'a|abbr|b|big|blockquote|body|br|caption|center|code|col|colgroup|dd|del|div|dl|dt|em|font|h[1-6]|head|hr|html|i|img|ins|kbd|li|meta|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|tfoot|th|thead|title|tr|tt|u|ul';
const TAG = new RegExp(`<\\/?(?:${HTML_ELEMENTS})\\b[^<>]*>|<\\/<(?:${HTML_ELEMENTS})?>|<![^<>]*>`, 'gi');
const COMMENT = /<!--[\s\S]*?-->/g;

/** Turns HTML or plain text into tidy plain text; `maxLength` caps the result (with an ellipsis). */
export function toPlainText(value: unknown, maxLength = 8000): string {
  let text = readString(value) ?? '';
  if (text.length === 0) return '';
  if (text.length > maxLength * 4) text = text.slice(0, maxLength * 4);
  if (text.includes('<')) {
    text = text
      .replace(COMMENT, '')
      .replace(DROPPED_ELEMENT, '')
      .replace(BLOCK_BREAK, '\n')
      .replace(LIST_ITEM, '\n- ')
      .replace(CELL_END, ' ')
      .replace(TAG, '');
  }
  if (text.includes('&')) text = decodeHTML(text);
  // A literal backslash-n sequence (double-escaped JSON text) means a newline.
  if (text.includes('\\n')) text = text.replace(/\\r\\n|\\n/g, '\n');
  text = text
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\f\v\u00a0 ]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
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

/**
 * Truncation that never splits a surrogate pair: by UTF-16 length (what Slack, PagerDuty and
 * Opsgenie count) or by UTF-8 bytes, with an ellipsis when something was cut.
 */
export const ELLIPSIS = '…';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Cuts at `end` (UTF-16 index), stepping back when `end` would split a pair. */
export function sliceSafely(text: string, end: number): string {
  if (end >= text.length) return text;
  if (end <= 0) return '';
  return isHighSurrogate(text.charCodeAt(end - 1)) ? text.slice(0, end - 1) : text.slice(0, end);
}

/** At most `maxLength` UTF-16 code units, ending with `…` when cut. */
export function truncateText(text: string, maxLength: number, ellipsis: string = ELLIPSIS): string {
  if (text.length <= maxLength) return text;
  if (maxLength <= ellipsis.length) return sliceSafely(text, maxLength);
  return sliceSafely(text, maxLength - ellipsis.length) + ellipsis;
}

/** At most `maxBytes` UTF-8 bytes, ending with `…` when cut. */
export function truncateUtf8(text: string, maxBytes: number, ellipsis: string = ELLIPSIS): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return budget < 0 ? '' : text.slice(0, end) + ellipsis;
}

/**
 * Escapes `text` code point by code point and stops before the escaped result would exceed
 * `maxLength`, so an escape sequence (`&amp;`) or a surrogate pair is never cut in half.
 */
export function escapeAndTruncate(
  text: string,
  maxLength: number,
  escapeChar: (char: string) => string,
  ellipsis: string = ELLIPSIS,
): string {
  const parts: string[] = [];
  let length = 0;
  for (const char of text) {
    const escaped = escapeChar(char);
    parts.push(escaped);
    length += escaped.length;
  }
  if (length <= maxLength) return parts.join('');
  const budget = maxLength - ellipsis.length;
  let out = '';
  for (const part of parts) {
    if (out.length + part.length > budget) break;
    out += part;
  }
  return out + ellipsis;
}

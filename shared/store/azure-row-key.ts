/**
 * Document keys as Azure Table RowKeys. A RowKey may not contain `/ \ # ?` or control characters
 * and is at most 1 KiB (512 UTF-16 code units, as Azurite enforces). The encoding keeps the port's
 * code-unit order and its prefixes, and uses no surrogates, so UTF-16 and UTF-8 (code point)
 * comparisons of encoded keys agree:
 *
 * - it works code unit by code unit (so encode(prefix) is a prefix of encode(key) exactly when prefix
 *   is a prefix of key), every code unit has exactly one encoding, and no encoding is a prefix of
 *   another one;
 * - each run of code units that cannot stand for itself is a region with a leader character that
 *   sorts between the literals around it, followed by fixed-width lower-case hex:
 *     U+0000–U+0020  → ' ' + 2 hex        (C0 controls and space)
 *     `"` `#`         → '"' + 1 hex
 *     `.` `/`         → '.' + 1 hex
 *     `>` `?`         → '>' + 1 hex
 *     `[` `\`         → '[' + 1 hex
 *     U+007E–U+009F  → '~' + 2 hex        (tilde, DEL, C1 controls)
 *     U+D7FF–U+FFFF  → U+D7FF + 4 hex     (surrogates, private use, specials)
 *   and every other character stands for itself (letters, digits, `:-_@|%$`, accents, CJK…).
 *
 * Typical keys (`azure:TRACKING-ID`, `probe:target|vantage`) are unchanged; `/` and `.` take two
 * characters, an emoji ten. Keys whose encoding is longer than 512 are rejected by the adapter.
 */

interface Region {
  readonly leader: string;
  readonly first: number;
  readonly last: number;
  readonly width: number;
}

const REGIONS: readonly Region[] = [
  { leader: ' ', first: 0x00, last: 0x20, width: 2 },
  { leader: '"', first: 0x22, last: 0x23, width: 1 },
  { leader: '.', first: 0x2e, last: 0x2f, width: 1 },
  { leader: '>', first: 0x3e, last: 0x3f, width: 1 },
  { leader: '[', first: 0x5b, last: 0x5c, width: 1 },
  { leader: '~', first: 0x7e, last: 0x9f, width: 2 },
  { leader: '\ud7ff', first: 0xd7ff, last: 0xffff, width: 4 },
];

export const MAX_ROW_KEY_LENGTH = 512;

function regionOf(unit: number): Region | undefined {
  for (const region of REGIONS) if (unit >= region.first && unit <= region.last) return region;
  return undefined;
}

export function encodeRowKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    const region = regionOf(unit);
    out += region
      ? region.leader + (unit - region.first).toString(16).padStart(region.width, '0')
      : key.charAt(i);
  }
  return out;
}

export function decodeRowKey(rowKey: string): string {
  let out = '';
  for (let i = 0; i < rowKey.length; ) {
    const char = rowKey.charAt(i);
    const region = REGIONS.find((r) => r.leader === char);
    if (!region) {
      out += char;
      i++;
      continue;
    }
    const hex = rowKey.slice(i + 1, i + 1 + region.width);
    const offset = Number.parseInt(hex, 16);
    if (hex.length !== region.width || Number.isNaN(offset)) throw new Error(`malformed RowKey at ${i}`);
    out += String.fromCharCode(region.first + offset);
    i += 1 + region.width;
  }
  return out;
}

/** The smallest string greater than every encoded key that starts with `encodedPrefix` (non-empty). */
export function toRowKeyUpperBound(encodedPrefix: string): string {
  // Encoded text ends in a literal (below U+D7FF) or a hex digit, never in a leader: +1 is a valid bound.
  const last = encodedPrefix.charCodeAt(encodedPrefix.length - 1);
  return encodedPrefix.slice(0, -1) + String.fromCharCode(last + 1);
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRowKey, encodeRowKey, toRowKeyUpperBound } from '../../../shared/store/azure-row-key.ts';
import { AWKWARD_KEYS } from './state-store-contract.ts';

const FORBIDDEN_CHARS = '/\\#?';
/** No reserved character, no control character, no surrogate or non-character. */
const isAllowedRowKey = (text: string) =>
  [...text].every((c) => {
    const unit = c.charCodeAt(0);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f) || unit >= 0xd800)
      return c.length === 1 && unit === 0xd7ff;
    return !FORBIDDEN_CHARS.includes(c);
  });
const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
// Strings over every code unit, weighted towards the characters the encoding treats specially.
const keyArbitrary = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      ' ',
      '"',
      '#',
      '.',
      '/',
      '>',
      '?',
      '[',
      '\\',
      '~',
      '\u007f',
      '\u009f',
      '\u00a0',
      '\ud7fe',
      '\ud7ff',
      '\ud83d',
      '\ude00',
      '\uffff',
      '}',
      '!',
      '$',
      '0',
      'a',
      'Z',
    ),
    fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  ),
  maxLength: 12,
});

describe('Azure RowKey encoding', () => {
  it('leaves ordinary keys alone and escapes the reserved characters', () => {
    expect(encodeRowKey('azure:FNJ8-VQZ')).toBe('azure:FNJ8-VQZ');
    expect(encodeRowKey('probe:dns|aws-us-east-1')).toBe('probe:dns|aws-us-east-1');
    expect(encodeRowKey('a/b.c#d?e\\f')).toBe('a.1b.0c"1d>1e[1f');
    expect(encodeRowKey('é中')).toBe('é中');
    expect(encodeRowKey('\u{1F600}')).toBe('\ud7ff003e\ud7ff0601');
    expect(encodeRowKey('~\u0085')).toBe('~00~07');
  });

  it('round-trips, uses only allowed characters, and keeps order and prefixes', () => {
    fc.assert(
      fc.property(keyArbitrary, keyArbitrary, (a, b) => {
        const ea = encodeRowKey(a);
        const eb = encodeRowKey(b);
        expect(decodeRowKey(ea)).toBe(a);
        expect(isAllowedRowKey(ea)).toBe(true);
        expect(ea.length).toBeLessThanOrEqual(a.length * 5);
        expect(order(ea, eb)).toBe(order(a, b));
        expect(eb.startsWith(ea)).toBe(b.startsWith(a));
        if (a !== '' && b.startsWith(a)) expect(eb < toRowKeyUpperBound(ea)).toBe(true);
        if (a !== '' && !b.startsWith(a) && b > a) expect(eb >= toRowKeyUpperBound(ea)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('orders the contract keys like the port does', () => {
    const encoded = AWKWARD_KEYS.map(encodeRowKey).sort(order).map(decodeRowKey);
    expect(encoded).toEqual([...AWKWARD_KEYS].sort(order));
  });
});

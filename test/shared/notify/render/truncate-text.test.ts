import { describe, expect, it } from 'vitest';
import { sliceSafely, truncateText, truncateUtf8 } from '../../../../shared/notify/render/truncate-text.ts';

describe('truncation', () => {
  it('never splits a surrogate pair', () => {
    const text = 'ab😀cd';
    expect(sliceSafely(text, 3)).toBe('ab');
    expect(truncateText(text, 4)).toBe('ab…');
    expect(truncateText(text, 5)).toBe('ab😀…');
    expect(truncateText(text, 6)).toBe(text);
    expect(truncateUtf8('😀😀😀', 9)).toBe('😀…');
    expect(Buffer.byteLength(truncateUtf8('é'.repeat(100), 11))).toBeLessThanOrEqual(11);
  });
});

import { describe, expect, it } from 'vitest';
import { formatDuration, formatLeadTime, parseDuration, parseInstant } from '../../cli/durations.ts';

describe('CLI durations and instants', () => {
  it.each([
    ['2h', 7_200_000],
    ['90m', 5_400_000],
    ['1h30m', 5_400_000],
    ['45s', 45_000],
    ['1d', 86_400_000],
    [' 4H ', 14_400_000],
  ])('parseDuration(%j) = %d', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '0h', '2', 'h', '2 hours', '-1h', '1.5h', '1h 30m'])(
    'parseDuration(%j) is undefined',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [730_586, '12m 11s'],
    [7_260_000, '2h 1m'],
    [90_061_000, '1d 1h'],
    [-180_000, '-3m 0s'],
  ])('formatDuration(%d) = %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formatLeadTime spells out the sign', () => {
    expect(formatLeadTime(730_586)).toBe('+12m 11s');
    expect(formatLeadTime(-60_000)).toBe('-1m 0s');
  });

  it('parseInstant needs an explicit zone', () => {
    expect(parseInstant('2026-02-02T21:00:00+01:00')).toBe('2026-02-02T20:00:00.000Z');
    expect(parseInstant('2026-02-02T20:00Z')).toBe('2026-02-02T20:00:00.000Z');
    expect(parseInstant('2026-02-02T20:00:00')).toBeUndefined();
    expect(parseInstant('2026-02-02 20:00Z')).toBeUndefined();
    expect(parseInstant('2026-02-30T20:00:00Z')).toBeUndefined();
  });
});

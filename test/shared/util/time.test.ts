import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { latestTime, toIsoUtc } from '../../../shared/util/time.ts';

describe('toIsoUtc', () => {
  it.each([
    ['2017-10-18T23:49:25.3736084+00:00', '2017-10-18T23:49:25.373Z'],
    ['2017-10-18T02:48:00.0000000Z', '2017-10-18T02:48:00.000Z'],
    ['2019-06-26T04:00:00Z', '2019-06-26T04:00:00.000Z'],
    ['2025-04-15T18:20:36.256Z', '2025-04-15T18:20:36.256Z'],
    ['2026-01-22T10:00:00+02:00', '2026-01-22T08:00:00.000Z'],
    ['2026-01-22T10:00:00-0530', '2026-01-22T15:30:00.000Z'],
    ['2020-11-14T08:15:00', '2020-11-14T08:15:00.000Z'],
    ['2022-06-25 10:00:48.868000+00:00', '2022-06-25T10:00:48.868Z'],
    ['Fri, 27 Jan 2023 06:02:51 GMT', '2023-01-27T06:02:51.000Z'],
    ['Fri, 3 Jun 2022 10:00:00 GMT', '2022-06-03T10:00:00.000Z'],
    ['Thu, 27 Jan 2026 00:00:00 GMT', '2026-01-27T00:00:00.000Z'],
    ['27 Jan 2023 06:02 GMT', '2023-01-27T06:02:00.000Z'],
    [{ value: '2019-06-26T04:00:00Z', localizedValue: 'x' }, '2019-06-26T04:00:00.000Z'],
    [1700000000, '2023-11-14T22:13:20.000Z'],
    [1700000000000, '2023-11-14T22:13:20.000Z'],
  ])('%j → %s', (input, expected) => {
    expect(toIsoUtc(input)).toBe(expected);
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['yesterday'],
    ['2026-02-30T00:00:00Z'],
    ['2026-13-01T00:00:00Z'],
    ['Fri, 27 Foo 2023 06:02:51 GMT'],
    [{}],
    [Number.NaN],
    ['2026-01-22T25:00:00Z'],
    [5e14],
    [8e15],
  ])('rejects %j', (input) => {
    expect(toIsoUtc(input)).toBeUndefined();
  });

  it('picks the latest of several times, ignoring missing ones', () => {
    expect(latestTime(undefined, '2026-01-01T00:00:00.000Z', null, '2026-02-01T00:00:00.000Z')).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    expect(latestTime()).toBeUndefined();
  });
});

describe('toIsoUtc against Date', () => {
  it('agrees with Date for every valid UTC and offset time between 1001 and 9998', () => {
    const instant = fc.date({
      min: new Date('1001-01-01T00:00:00Z'),
      max: new Date('9998-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instant, fc.integer({ min: -14 * 60, max: 14 * 60 }), (date, offsetMinutes) => {
        const iso = date.toISOString();
        expect(toIsoUtc(iso)).toBe(iso);
        const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const expected = new Date(`${local}${zone}`).toISOString();
        expect(toIsoUtc(`${local}${zone}`)).toBe(
          expected.startsWith('+') || expected.startsWith('-') ? undefined : expected,
        );
      }),
    );
  });

  it('rejects impossible calendar days and years before 1000', () => {
    expect(toIsoUtc('2025-02-29T00:00:00Z')).toBeUndefined();
    expect(toIsoUtc('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(toIsoUtc('2100-02-29T00:00:00Z')).toBeUndefined();
    expect(toIsoUtc('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
    expect(toIsoUtc('2026-04-31T00:00:00Z')).toBeUndefined();
    expect(toIsoUtc('0099-01-01T00:00:00Z')).toBeUndefined();
  });
});

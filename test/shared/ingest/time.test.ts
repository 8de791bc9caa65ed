import { describe, expect, it } from 'vitest';
import { latestTime, toIsoUtc } from '../../../shared/ingest/time.ts';

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

/**
 * Every time crosswatch emits is ISO 8601 UTC with a Z suffix and at most milliseconds. Providers
 * send 7-digit fractions with +00:00 offsets (Azure), RFC-1123 strings with one-digit days and wrong
 * weekdays (AWS Health detail), Python str(datetime) (AHA), and plain ISO (Graph).
 */
import { createLookup, readString } from './read.ts';

const MONTHS: ReadonlyMap<string, number> = createLookup({
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
});

// 2017-10-18T23:49:25.3736084+00:00 | 2022-06-25 10:00:48.868000+00:00 | 2019-06-26T04:00:00Z | 2020-11-14T08:15:00
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?|GMT|UTC)?$/i;
// [Fri, ]27 Jan 2023 06:02:51 GMT  (weekday ignored: official samples carry wrong ones)
const RFC1123 =
  /^(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})[\s-]([A-Za-z]{3})[a-z]*[\s-](\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|Z|[+-]\d{4})?$/;

function offsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined) return 0; // no zone: providers mean UTC
  const upper = zone.toUpperCase();
  if (upper === 'Z' || upper === 'GMT' || upper === 'UTC') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? '0');
  return match[1] === '-' ? -minutes : minutes;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function countDaysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 1 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 0);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  zone: string | undefined,
): string | undefined {
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  // Years before 1000 are not provider times (and Date.UTC would read 0–99 as 1900–1999).
  if (year < 1000 || month < 0 || month > 11 || day < 1 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  if (day > countDaysInMonth(year, month)) return undefined;
  if (offset === 0 && second < 60) {
    // Already UTC: assemble the canonical form without allocating Dates (the common case).
    return `${year}-${pad(month + 1, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(millis, 3)}Z`;
  }
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59), millis) - offset * 60_000;
  return Number.isNaN(ms) ? undefined : fourDigitYear(new Date(ms).toISOString());
}

/** Years outside 0000–9999 serialize as `+010000-…`, which is not the schema's time format. */
function fourDigitYear(iso: string): string | undefined {
  return /^\d{4}-/.test(iso) ? iso : undefined;
}

/** Converts any provider time to ISO UTC `…Z`, or undefined when it is missing or unparseable. */
export function toIsoUtc(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    const date = new Date(value > 1e11 ? value : value * 1000);
    return Number.isNaN(date.getTime()) ? undefined : fourDigitYear(date.toISOString());
  }
  const text = readString(value)?.trim();
  if (text === undefined || text.length > 64) return undefined;
  const iso = ISO.exec(text);
  if (iso) {
    const fraction = (iso[7] ?? '').padEnd(3, '0').slice(0, 3);
    return build(
      Number(iso[1]),
      Number(iso[2]) - 1,
      Number(iso[3]),
      Number(iso[4] ?? '0'),
      Number(iso[5] ?? '0'),
      Number(iso[6] ?? '0'),
      Number(fraction),
      iso[8],
    );
  }
  const rfc = RFC1123.exec(text);
  if (rfc) {
    const month = MONTHS.get((rfc[2] ?? '').toLowerCase());
    if (month === undefined) return undefined;
    return build(
      Number(rfc[3]),
      month,
      Number(rfc[1]),
      Number(rfc[4]),
      Number(rfc[5]),
      Number(rfc[6] ?? '0'),
      0,
      rfc[7],
    );
  }
  return undefined;
}

/** The latest of several times (ISO UTC strings compare lexically). */
export function latestTime(...times: (string | undefined | null)[]): string | undefined {
  let latest: string | undefined;
  for (const time of times) if (time && (latest === undefined || time > latest)) latest = time;
  return latest;
}

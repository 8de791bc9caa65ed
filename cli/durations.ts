/**
 * Durations and instants as the CLI reads and prints them: `2h`, `90m`, `1h30m`, `45s`, `1d` in;
 * `12m 0s`, `-3m 10s`, `2h 5m` out; ISO 8601 instants with an explicit zone (`Z` or `±hh:mm`).
 */

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const DURATION = /^(?:\d+[dhms])+$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Milliseconds of `2h`, `1h30m`, `45s`…; undefined when the text is not such a duration or is zero. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim().toLowerCase();
  if (!DURATION.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+)([dhms])/g)) {
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  }
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** `12m 0s`, `2h 5m`, `3d 4h`, `-45s`: the two largest units, for lead times and windows. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0 || parts.length > 0) parts.push(`${amount}${unit}`);
  }
  return sign + (parts.length === 0 ? '0s' : parts.slice(0, 2).join(' '));
}

/** A lead time with its sign spelled out: `+12m 0s` (crosswatch first) or `-3m 0s` (provider first). */
export function formatLeadTime(ms: number): string {
  return ms >= 0 ? `+${formatDuration(ms)}` : formatDuration(ms);
}

/** An ISO 8601 instant with an explicit zone, as ISO UTC; undefined otherwise. */
export function parseInstant(text: string): string | undefined {
  const trimmed = text.trim();
  if (!ISO_WITH_ZONE.test(trimmed)) return undefined;
  // Date.parse rolls 2026-02-30 over into March: the calendar date must exist as written.
  const [year, month, day] = trimmed.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

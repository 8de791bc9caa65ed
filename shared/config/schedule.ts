/**
 * A schedule setting: an interval (`30s`, `5m`, `1h`, `1h30m`) or a 5/6-field cron expression
 * (`*\/2 * * * *`, evaluated in UTC by croner).
 */
import { Cron } from 'croner';

export type Schedule =
  | { readonly kind: 'interval'; readonly everyMs: number; readonly text: string }
  | { readonly kind: 'cron'; readonly expression: string; readonly text: string };

/** The schedule text is neither an interval nor a valid cron expression. */
export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000 };

export function parseSchedule(text: string): Schedule {
  const compact = text.trim().toLowerCase();
  if (/^(?:\d+[hms])+$/.test(compact)) {
    let everyMs = 0;
    for (const [, amount, unit] of compact.matchAll(/(\d+)([hms])/g))
      everyMs += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
    if (everyMs < 1000 || everyMs > 86_400_000)
      throw new ScheduleError('an interval must be between 1s and 24h');
    return { kind: 'interval', everyMs, text };
  }
  const fields = text.trim().split(/\s+/);
  if (fields.length === 5 || fields.length === 6) {
    try {
      new Cron(text.trim(), { paused: true, timezone: 'UTC' }).stop();
      return { kind: 'cron', expression: text.trim(), text };
    } catch (error) {
      throw new ScheduleError(
        `is not a valid cron expression (${error instanceof Error ? error.message : String(error)})`,
        {
          cause: error,
        },
      );
    }
  }
  throw new ScheduleError('must be an interval ("30s", "5m", "1h") or a cron expression ("*/2 * * * *")');
}

/** Milliseconds from `from` to the schedule's next run (an interval counts from `from`). */
export function computeNextDelay(schedule: Schedule, from: Date): number {
  if (schedule.kind === 'interval') return schedule.everyMs;
  const next = new Cron(schedule.expression, { paused: true, timezone: 'UTC' }).nextRun(from);
  return next ? Math.max(0, next.getTime() - from.getTime()) : 60_000;
}

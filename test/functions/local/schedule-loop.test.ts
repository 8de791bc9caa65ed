import { describe, expect, it } from 'vitest';
import { startScheduleLoop } from '../../../functions/local/schedule-loop.ts';
import { computeNextDelay, parseSchedule } from '../../../shared/config/schedule.ts';

describe('schedules', () => {
  it('parses intervals and cron expressions and computes the next delay', () => {
    expect(parseSchedule('90s')).toEqual({ kind: 'interval', everyMs: 90_000, text: '90s' });
    expect(parseSchedule('1h30m')).toMatchObject({ everyMs: 5_400_000 });
    const cron = parseSchedule('*/5 * * * *');
    expect(cron.kind).toBe('cron');
    expect(computeNextDelay(cron, new Date('2026-11-29T12:03:00.000Z'))).toBe(120_000);
    expect(() => parseSchedule('0s')).toThrow('between 1s and 24h');
    expect(() => parseSchedule('sometimes')).toThrow('must be an interval');
  });
});

describe('startScheduleLoop', () => {
  it('runs at start, never overlaps itself, and stop waits for the run in flight', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runs: string[] = [];
    let finished = false;
    const loop = startScheduleLoop({
      schedule: parseSchedule('1h'),
      now: () => new Date('2026-11-29T12:00:00.000Z'),
      run: async (scheduledAt) => {
        runs.push(scheduledAt.toISOString());
        await gate;
        finished = true;
      },
      onError: (error) => {
        throw error;
      },
    });
    // A manual run while the first is in flight joins it instead of starting another.
    const manual = loop.runNow();
    expect(runs).toEqual(['2026-11-29T12:00:00.000Z']);
    const stopped = loop.stop().then(() => finished);
    release();
    await manual;
    expect(await stopped).toBe(true);
    expect(runs).toHaveLength(1);
  });

  it('reports a failed run to onError and keeps going', async () => {
    const errors: unknown[] = [];
    const loop = startScheduleLoop({
      schedule: parseSchedule('1h'),
      now: () => new Date(),
      runAtStart: false,
      run: async () => {
        throw new Error('round failed');
      },
      onError: (error) => errors.push(error),
    });
    await loop.runNow();
    await loop.runNow();
    await loop.stop();
    expect(errors.map((error) => (error as Error).message)).toEqual(['round failed', 'round failed']);
  });
});

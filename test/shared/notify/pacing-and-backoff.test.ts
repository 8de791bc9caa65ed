/**
 * The outbox's timing arithmetic on a fake clock: full-jitter exponential backoff, the Retry-After
 * cap, and the sliding-window pacing for Slack (1/s), Teams (4/s) and PagerDuty (120/min).
 */
import { describe, expect, it } from 'vitest';
import { capRetryAfter, computeBackoffDelay } from '../../../shared/notify/backoff.ts';
import { createRateLimiter } from '../../../shared/notify/rate-limiter.ts';
import { createFakeClock, T0 } from '../../helpers/outbox-fixtures.ts';

describe('computeBackoffDelay', () => {
  const settings = { baseDelayMs: 1000, maxDelayMs: 30_000 };

  it('draws from [0, base × 2^(attempt-1)), capped at maxDelay', () => {
    expect(
      [1, 2, 3, 4, 5, 6, 7].map((attempt) => computeBackoffDelay(attempt, settings, () => 0.999)),
    ).toEqual([999, 1998, 3996, 7992, 15984, 29970, 29970]);
    expect(computeBackoffDelay(3, settings, () => 0)).toBe(0);
    expect(computeBackoffDelay(3, settings, () => 0.5)).toBe(2000);
  });

  it('survives absurd attempt numbers and random values', () => {
    expect(computeBackoffDelay(10_000, settings, () => 0.5)).toBe(15_000);
    expect(computeBackoffDelay(2, settings, () => 7)).toBe(2000);
  });
});

describe('capRetryAfter', () => {
  it('honours the request up to the cap', () => {
    expect(capRetryAfter(2000, 60_000)).toBe(2000);
    expect(capRetryAfter(86_400_000, 60_000)).toBe(60_000);
    expect(capRetryAfter(-5, 60_000)).toBe(0);
    expect(capRetryAfter(Number.NaN, 60_000)).toBe(0);
  });
});

describe('createRateLimiter', () => {
  async function startTimes(limit: { requests: number; perMs: number }, count: number): Promise<number[]> {
    const clock = createFakeClock();
    const limiter = createRateLimiter(limit, { now: clock.ms, sleep: clock.sleep });
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      expect(await limiter.acquire()).toBe(true);
      times.push(clock.ms() - T0);
    }
    return times;
  }

  it('Slack: one per second', async () => {
    expect(await startTimes({ requests: 1, perMs: 1000 }, 4)).toEqual([0, 1000, 2000, 3000]);
  });

  it('Teams: four per second, the fifth waits for the window', async () => {
    expect(await startTimes({ requests: 4, perMs: 1000 }, 9)).toEqual([
      0, 0, 0, 0, 1000, 1000, 1000, 1000, 2000,
    ]);
  });

  it('PagerDuty: 120 per minute, the 121st a minute after the first', async () => {
    const times = await startTimes({ requests: 120, perMs: 60_000 }, 121);
    expect(times.slice(0, 120).every((time) => time === 0)).toBe(true);
    expect(times[120]).toBe(60_000);
  });

  it('does not pace without a limit, and stops waiting when aborted', async () => {
    const clock = createFakeClock();
    expect(await startTimes({ requests: 0, perMs: 1000 }, 3)).toEqual([0, 0, 0]);
    const unlimited = createRateLimiter(null, { now: clock.ms, sleep: clock.sleep });
    expect(await unlimited.acquire()).toBe(true);
    const limited = createRateLimiter({ requests: 1, perMs: 1000 }, { now: clock.ms, sleep: clock.sleep });
    const controller = new AbortController();
    expect(await limited.acquire(controller.signal)).toBe(true);
    controller.abort();
    expect(await limited.acquire(controller.signal)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { createFloodGauge } from '../../../functions/local/background-loop.ts';

describe('createFloodGauge', () => {
  it('turns hot at 100 accepts within 100 ms and cools down one window after the flood', () => {
    let now = 1_000;
    const gauge = createFloodGauge(() => now);
    for (let index = 0; index < 99; index++) gauge.accepted();
    expect(gauge.isHot()).toBe(false);
    gauge.accepted();
    expect(gauge.isHot()).toBe(true);
    now += 150;
    expect(gauge.isHot()).toBe(true);
    now += 50;
    expect(gauge.isHot()).toBe(false);
  });

  it('stays cold at a steady rate below the threshold', () => {
    let now = 0;
    const gauge = createFloodGauge(() => now);
    // 900 accepts a second for ten seconds.
    for (let index = 0; index < 9_000; index++) {
      now += 1000 / 900;
      gauge.accepted();
      expect(gauge.isHot()).toBe(false);
    }
  });
});

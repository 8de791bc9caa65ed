/**
 * The benchmark run's closing summary (bench/lib.ts summarizeGoals): a row per goal and a verdict
 * line that claims "all N goals met" only when nothing missed and nothing was skipped.
 */
import { describe, expect, it } from 'vitest';
import { type GoalLine, summarizeGoals } from '../../bench/lib.ts';

describe('summarizeGoals', () => {
  it('says all goals met only when every goal passed', () => {
    const lines = summarizeGoals([
      { goal: 'normalize: ratio ≤ 3×', pass: true },
      { goal: 'fanout: outbox ≤ 4×', pass: true },
    ]);
    expect(lines).toEqual([
      '  PASS     normalize: ratio ≤ 3×',
      '  PASS     fanout: outbox ≤ 4×',
      'all 2 goals met',
    ]);
  });

  it('names the missed and the skipped goals', () => {
    const goals: GoalLine[] = [
      { goal: 'normalize: ratio ≤ 3×', pass: true },
      { goal: 'ingest-load: rate ≥ 1.0× Alertmanager', pass: false },
      { goal: "probe-round: CPU per probe ≤ blackbox_exporter's", pass: false, skipped: true },
      { goal: 'engine: could not run (boom)', pass: false },
    ];
    const lines = summarizeGoals(goals);
    expect(lines.slice(0, 4)).toEqual([
      '  PASS     normalize: ratio ≤ 3×',
      '  MISS     ingest-load: rate ≥ 1.0× Alertmanager',
      "  SKIPPED  probe-round: CPU per probe ≤ blackbox_exporter's",
      '  MISS     engine: could not run (boom)',
    ]);
    expect(lines[4]).toBe(
      '2 of 4 goals missed: ingest-load: rate ≥ 1.0× Alertmanager, engine: could not run (boom); ' +
        "1 skipped (not measurable here: probe-round: CPU per probe ≤ blackbox_exporter's)",
    );
  });

  it('does not claim all goals met when some were skipped', () => {
    const lines = summarizeGoals([
      { goal: 'a', pass: true },
      { goal: 'b', pass: true, skipped: true },
    ]);
    expect(lines.at(-1)).toBe('0 of 2 goals missed; 1 skipped (not measurable here: b)');
  });

  it('reports an empty run as checking nothing', () => {
    expect(summarizeGoals([])).toEqual(['no goals were checked']);
  });
});

/**
 * Small benchmark helpers: interleaved timing rounds (so machine noise hits subject and floor alike),
 * medians, and cold-import measurement in fresh processes.
 */
import { spawnSync } from 'node:child_process';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Nanoseconds per operation of `fn`, measured over `iterations` calls. */
export function timePerOp(fn: () => void, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

/**
 * Runs subject and floor alternately for `rounds` rounds and returns the median ns/op of each and
 * the median of the per-round ratios.
 */
export function compareInterleaved(
  subject: () => void,
  floor: () => void,
  options: { rounds?: number; iterations?: number } = {},
): { subjectNs: number; floorNs: number; ratio: number } {
  const rounds = options.rounds ?? 15;
  const iterations = options.iterations ?? 5000;
  for (let i = 0; i < 3; i++) {
    timePerOp(subject, iterations);
    timePerOp(floor, iterations);
  }
  const subjectTimes: number[] = [];
  const floorTimes: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const f = timePerOp(floor, iterations);
    const s = timePerOp(subject, iterations);
    floorTimes.push(f);
    subjectTimes.push(s);
    ratios.push(s / f);
  }
  return { subjectNs: median(subjectTimes), floorNs: median(floorTimes), ratio: median(ratios) };
}

/** Wall milliseconds of a fresh `node` running `script` (an ES module body), median of `runs`. */
export function measureNodeStartMs(script: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0)
      throw new Error(`benchmark child failed: ${result.stderr.toString().trim().split('\n')[0]}`);
    times.push(elapsed);
  }
  return median(times);
}

/** Cold-import cost of a module: fresh process importing it, minus a fresh process doing nothing. */
export function measureColdImportMs(moduleUrl: string, runs = 15): { importMs: number; emptyMs: number } {
  // Interleave to share noise: empty, import, empty, import…
  const empty: number[] = [];
  const loaded: number[] = [];
  for (let i = 0; i < runs; i++) {
    empty.push(measureNodeStartMs('', 1));
    loaded.push(measureNodeStartMs(`await import(${JSON.stringify(moduleUrl)});`, 1));
  }
  const emptyMs = median(empty);
  return { importMs: median(loaded) - emptyMs, emptyMs };
}

export function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

export function formatRate(nsPerOp: number): string {
  return `${Math.round(1e9 / nsPerOp).toLocaleString('en-US')} ops/s (${(nsPerOp / 1000).toFixed(1)} µs/op)`;
}

/** One goal a benchmark checks, for the run's closing summary (`skipped`: it could not be measured here). */
export interface GoalLine {
  readonly goal: string;
  readonly pass: boolean;
  readonly skipped?: boolean;
}

/** A goal's verdict word for the closing summary. */
export function describeGoalStatus(line: GoalLine): 'PASS' | 'MISS' | 'SKIPPED' {
  if (line.skipped) return 'SKIPPED';
  return line.pass ? 'PASS' : 'MISS';
}

/**
 * The run's closing summary: one row per goal (PASS / MISS / SKIPPED), then one verdict line that
 * says "all N goals met" only when nothing missed and nothing was skipped.
 */
export function summarizeGoals(lines: readonly GoalLine[]): string[] {
  const rows = lines.map((line) => `  ${describeGoalStatus(line).padEnd(8)} ${line.goal}`);
  const missed = lines.filter((line) => describeGoalStatus(line) === 'MISS').map((line) => line.goal);
  const skipped = lines.filter((line) => line.skipped).map((line) => line.goal);
  const total = lines.length;
  const goals = total === 1 ? 'goal' : 'goals';
  if (total === 0) return ['no goals were checked'];
  if (missed.length === 0 && skipped.length === 0) return [...rows, `all ${total} ${goals} met`];
  const parts = [
    missed.length === 0
      ? `0 of ${total} ${goals} missed`
      : `${missed.length} of ${total} ${goals} missed: ${missed.join(', ')}`,
  ];
  if (skipped.length > 0)
    parts.push(`${skipped.length} skipped (not measurable here: ${skipped.join(', ')})`);
  return [...rows, parts.join('; ')];
}

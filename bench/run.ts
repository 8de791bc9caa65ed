/**
 * `npm run bench`: every benchmark, each printing its ratio against a floor or a peer measured in
 * the same run and returning one goal line per verdict it printed. The run ends with a summary of
 * every goal (PASS / MISS / SKIPPED) and says "all N goals met" only when none missed and none was
 * skipped. Timings are for reading, not for failing builds: the exit code is 0 unless a benchmark
 * could not run at all (it threw; that counts as one missed goal "<name>: could not run (…)").
 */
import { runColdStartBenchmarks } from './cold-start.bench.ts';
import { runEngineBenchmarks } from './engine.bench.ts';
import { runFanoutBenchmarks } from './fanout.bench.ts';
import { runFloodBenchmarks } from './flood.bench.ts';
import { runIngestLoadBenchmarks } from './ingest-load.bench.ts';
import { type GoalLine, summarizeGoals } from './lib.ts';
import { runNormalizeBenchmarks } from './normalize.bench.ts';
import { runProbeRoundBenchmarks } from './probe-round.bench.ts';

const benchmarks: [string, () => Promise<GoalLine[]>][] = [
  ['normalize', runNormalizeBenchmarks],
  ['probe-round', runProbeRoundBenchmarks],
  ['engine', runEngineBenchmarks],
  ['cold-start', runColdStartBenchmarks],
  ['fanout', runFanoutBenchmarks],
  ['flood', runFloodBenchmarks],
  ['ingest-load', runIngestLoadBenchmarks],
];

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

console.log(`crosswatch benchmarks — node ${process.version}, ${process.platform}/${process.arch}\n`);
const goals: GoalLine[] = [];
let couldNotRun = false;
for (const [name, run] of benchmarks) {
  try {
    goals.push(...(await run()));
  } catch (error) {
    couldNotRun = true;
    console.log(`${name}: could not run — ${describeFailure(error)}`);
    goals.push({ goal: `${name}: could not run (${describeFailure(error)})`, pass: false });
  }
  console.log('');
}
console.log('summary');
for (const line of summarizeGoals(goals)) console.log(line);
if (couldNotRun) process.exitCode = 1;

/**
 * `npm run bench`: every benchmark, each printing its ratio against a floor or a peer measured in
 * the same run. Timings are for reading, not for failing builds: the exit code is 0 unless a
 * benchmark could not run at all.
 */
import { runColdStartBenchmarks } from './cold-start.bench.ts';
import { runEngineBenchmarks } from './engine.bench.ts';
import { runFanoutBenchmarks } from './fanout.bench.ts';
import { runIngestLoadBenchmarks } from './ingest-load.bench.ts';
import { runNormalizeBenchmarks } from './normalize.bench.ts';
import { runProbeRoundBenchmarks } from './probe-round.bench.ts';

const benchmarks: [string, () => Promise<boolean>][] = [
  ['normalize', runNormalizeBenchmarks],
  ['probe-round', runProbeRoundBenchmarks],
  ['engine', runEngineBenchmarks],
  ['cold-start', runColdStartBenchmarks],
  ['fanout', runFanoutBenchmarks],
  ['ingest-load', runIngestLoadBenchmarks],
];

console.log(`crosswatch benchmarks — node ${process.version}, ${process.platform}/${process.arch}\n`);
const missed: string[] = [];
for (const [name, run] of benchmarks) {
  if (!(await run())) missed.push(name);
  console.log('');
}
console.log(missed.length === 0 ? 'all targets met' : `targets missed in: ${missed.join(', ')}`);

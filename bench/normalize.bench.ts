/**
 * Ingest benchmarks (issue [core]):
 * - normalize throughput for a realistic ~3 KB Service Health alert, against the floor of
 *   JSON.parse + JSON.stringify of the same payload in the same run (target: within 3×);
 * - cold-import cost of the bundled ingest module in a fresh process, minus an empty `node` start
 *   (target: ≤ 25 ms).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { compareInterleaved, formatRate, type GoalLine, measureColdImportMs, verdict } from './lib.ts';

export async function runNormalizeBenchmarks(): Promise<GoalLine[]> {
  const bundle = pathToFileURL('dist/ingest/normalize.mjs').href;
  const { normalizeText } = (await import(bundle)) as typeof import('../shared/ingest/normalize.ts');
  const payload = JSON.stringify(
    JSON.parse(readFileSync('bench/payloads/service-health-incident-active.json', 'utf8')),
  );
  const bytes = Buffer.from(payload);
  const events = normalizeText(bytes).events;
  if (events.length !== 1)
    throw new Error(`expected 1 event from the benchmark payload, got ${events.length}`);

  let sink = 0;
  const { subjectNs, floorNs, ratio } = compareInterleaved(
    () => {
      const output = normalizeText(bytes);
      for (const event of output.events) sink += JSON.stringify(event).length;
    },
    () => {
      sink += JSON.stringify(JSON.parse(bytes.toString('utf8'))).length;
    },
  );
  if (sink === 0) throw new Error('benchmark produced nothing');
  const throughputPass = ratio <= 3;
  console.log(
    `normalize — Azure Service Health alert, common schema (${(bytes.length / 1024).toFixed(1)} KB)`,
  );
  console.log(`  floor: JSON.parse + JSON.stringify          ${formatRate(floorNs)}`);
  console.log(`  crosswatch: normalize + stringify events    ${formatRate(subjectNs)}`);
  console.log(`  ratio ${ratio.toFixed(2)}× the floor (target ≤ 3×)  ${verdict(throughputPass)}`);

  const { importMs, emptyMs } = measureColdImportMs(bundle, 15);
  const importPass = importMs <= 25;
  console.log(
    `  cold import of the ingest bundle: ${importMs.toFixed(1)} ms over an empty node start (${emptyMs.toFixed(0)} ms), median of 15 (target ≤ 25 ms)  ${verdict(importPass)}`,
  );
  return [
    { goal: 'normalize: ratio ≤ 3× the JSON floor', pass: throughputPass },
    { goal: 'normalize: cold import of the ingest bundle ≤ 25 ms', pass: importPass },
  ];
}

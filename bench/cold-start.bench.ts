/**
 * Cold start of the cloud bundles (issue [runtimes]), from `npm run build` output:
 * - for each AWS Lambda handler bundle (dist/aws/<handler>/): its total size (entry + every chunk,
 *   lazy ones included; source maps and the metafile excluded), the size loaded at cold start (the
 *   entry and the chunks it imports statically, per esbuild's metafile), and that no heavy SDK is on
 *   that static path;
 * - the cold-import cost in a fresh process (median of 9, interleaved with an empty `node` start and
 *   minus it) of the AWS webhook and probe handlers (target ≤ 40 ms each), every other handler (for
 *   reading), and the whole Azure Functions app (all function files, as the host's `main` glob loads
 *   them; target ≤ 150 ms);
 * - AWS bundles ≤ 1 MB in total (built with the runtime-provided AWS SDK, build.mjs's default).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type GoalLine, measureNodeStartMs, median, verdict } from './lib.ts';

const RUNS = 9;
/** Packages that must never load at cold start (each costs ~90–200 ms per the performance notes). */
const HEAVY = [
  '@azure/identity',
  '@azure/msal-node',
  '@azure/arm-resourcehealth',
  '@azure/storage-queue',
  '@azure/storage-blob',
  '@azure/data-tables',
  '@aws-sdk/client-',
  'nodemailer',
  'fast-xml-parser',
  'jose',
];

interface Metafile {
  readonly outputs: Record<
    string,
    {
      readonly bytes: number;
      readonly imports: readonly { readonly path: string; readonly kind: string }[];
      readonly inputs: Record<string, { readonly bytesInOutput: number }>;
    }
  >;
}

/** Bytes of the outputs loaded eagerly from `entry` and the heavy packages among their inputs. */
export function inspectStaticPath(meta: Metafile, entry: string): { eagerBytes: number; heavy: string[] } {
  const seen = new Set<string>();
  const queue = [entry];
  let eagerBytes = 0;
  const heavy = new Set<string>();
  while (queue.length > 0) {
    const output = queue.pop();
    if (output === undefined || seen.has(output)) continue;
    seen.add(output);
    const info = meta.outputs[output];
    if (!info) continue;
    eagerBytes += info.bytes;
    for (const input of Object.keys(info.inputs)) {
      for (const name of HEAVY)
        if (input.includes(`node_modules/${name}`)) heavy.add(name.replace(/-$/, '*'));
    }
    for (const imported of info.imports) if (imported.kind === 'import-statement') queue.push(imported.path);
  }
  return { eagerBytes, heavy: [...heavy] };
}

function totalBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) total += totalBytes(path);
    else if (name.endsWith('.mjs')) total += stat.size;
  }
  return total;
}

/** Median cold cost of `script` minus an empty node start, interleaved. */
function coldMs(script: string): { ms: number; emptyMs: number } {
  const empty: number[] = [];
  const loaded: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    empty.push(measureNodeStartMs('', 1));
    loaded.push(measureNodeStartMs(script, 1));
  }
  return { ms: median(loaded) - median(empty), emptyMs: median(empty) };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

export async function runColdStartBenchmarks(): Promise<GoalLine[]> {
  const goals: GoalLine[] = [];
  console.log(
    `cold start — bundles from npm run build (median of ${RUNS} fresh processes, minus an empty node start)`,
  );
  const awsRoot = 'dist/aws';
  const handlers = readdirSync(awsRoot).sort();
  for (const handler of handlers) {
    const dir = join(awsRoot, handler);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Metafile;
    const entry = Object.keys(meta.outputs).find((output) => output.endsWith(`${handler}/index.mjs`));
    if (!entry) throw new Error(`no entry in ${dir}/meta.json`);
    const { eagerBytes, heavy } = inspectStaticPath(meta, entry);
    const total = totalBytes(dir);
    const sizePass = total <= 1024 * 1024;
    const lazyPass = heavy.length === 0;
    const target = handler === 'webhook' || handler === 'probe' ? 40 : null;
    const { ms, emptyMs } = coldMs(
      `await import(${JSON.stringify(pathToFileURL(resolve(dir, 'index.mjs')).href)});`,
    );
    const importPass = target === null || ms <= target;
    goals.push(
      { goal: `cold-start: aws/${handler} ≤ 1 MB total`, pass: sizePass },
      { goal: `cold-start: aws/${handler} heavy SDKs lazy`, pass: lazyPass },
    );
    if (target !== null)
      goals.push({ goal: `cold-start: aws/${handler} cold import ≤ ${target} ms`, pass: importPass });
    console.log(
      `  aws/${handler.padEnd(21)} ${kb(total).padStart(7)} total (≤ 1 MB ${verdict(sizePass)}), ${kb(eagerBytes).padStart(6)} at cold start, ` +
        `heavy SDKs lazy ${lazyPass ? 'PASS' : `MISS (${heavy.join(', ')})`}, cold import ${ms.toFixed(1)} ms` +
        (target === null ? ' (no target)' : ` (target ≤ ${target} ms) ${verdict(importPass)}`) +
        ` [empty node ${emptyMs.toFixed(0)} ms]`,
    );
  }

  const azureDir = 'dist/azure/functions';
  const files = readdirSync(azureDir)
    .filter((name) => name.endsWith('.mjs'))
    .sort();
  const azureMeta = JSON.parse(readFileSync('dist/azure/meta.json', 'utf8')) as Metafile;
  const heavyAzure = new Set<string>();
  let eagerAzure = 0;
  const seenAzure = new Set<string>();
  for (const file of files) {
    const entry = Object.keys(azureMeta.outputs).find((output) => output.endsWith(`functions/${file}`));
    if (!entry || seenAzure.has(entry)) continue;
    seenAzure.add(entry);
    const { eagerBytes, heavy } = inspectStaticPath(azureMeta, entry);
    eagerAzure = Math.max(eagerAzure, eagerBytes);
    for (const name of heavy) heavyAzure.add(name);
  }
  const urls = files.map((file) => pathToFileURL(resolve(azureDir, file)).href);
  // The host loads every file the `main` glob matches; @azure/functions runs in test mode here
  // (no @azure/functions-core outside the host), which registers nothing but loads the same code.
  const { ms, emptyMs } = coldMs(
    `console.warn = () => {}; for (const url of ${JSON.stringify(urls)}) await import(url);`,
  );
  goals.push(
    { goal: 'cold-start: azure app heavy SDKs lazy', pass: heavyAzure.size === 0 },
    { goal: 'cold-start: azure app cold import of all functions ≤ 150 ms', pass: ms <= 150 },
  );
  console.log(
    `  azure app (${files.length} functions)   ${kb(totalBytes('dist/azure')).padStart(7)} total, heavy SDKs lazy ${
      heavyAzure.size === 0 ? 'PASS' : `MISS (${[...heavyAzure].join(', ')})`
    }, cold import of all functions ${ms.toFixed(1)} ms (target ≤ 150 ms) ${verdict(ms <= 150)} [empty node ${emptyMs.toFixed(0)} ms]`,
  );
  return goals;
}

#!/usr/bin/env node
// Builds the esbuild bundles. `--cli` builds only the command-line bundle (what `npm ci` runs via
// prepare); without flags every bundle is built.
import { mkdir, stat } from 'node:fs/promises';
import { build } from 'esbuild';

const onlyCli = process.argv.includes('--cli');
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

const bundles = [
  {
    name: 'cli',
    entryPoints: ['shared/cli/main.ts'],
    outfile: 'dist/cli/crosswatch.mjs',
    // A native module: loaded from node_modules at run time (bundled, it cannot find its binary).
    external: ['better-sqlite3'],
  },
  {
    name: 'ingest',
    entryPoints: ['shared/ingest/normalize.ts'],
    outfile: 'dist/ingest/normalize.mjs',
    minify: true,
  },
];

await mkdir('dist', { recursive: true });
for (const bundle of bundles) {
  if (onlyCli && bundle.name !== 'cli') continue;
  const { name, ...options } = bundle;
  await build({ ...common, ...options });
  const { size } = await stat(options.outfile);
  if (!onlyCli) console.log(`built ${name.padEnd(8)} ${options.outfile} (${(size / 1024).toFixed(1)} KB)`);
}

#!/usr/bin/env node
// Builds the esbuild bundles. `--cli` builds only the command-line bundle (what `npm ci` runs via
// prepare); without flags every bundle is built: the CLI, the ingest library, one bundle per AWS
// Lambda handler (dist/aws/<handler>/index.mjs, handler `index.handler`) and the Azure Functions app
// (dist/azure/functions/<function>.mjs, found by package.json `main`). The cloud bundles use code
// splitting: heavy SDKs imported with `import()` land in lazily loaded chunks (chunks/), so a cold
// start loads only what the function's own path needs; `dist/<bundle>/meta.json` is esbuild's
// metafile (bench/cold-start.bench.ts checks from it that no heavy SDK is on the static path).
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const onlyCli = process.argv.includes('--cli');
/** `--cloud-only=aws/webhook,azure` builds just those cloud bundles (tests); `--cloud-outdir=DIR` moves them. */
const readArg = (name) => process.argv.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
const cloudOnly = readArg('--cloud-only')?.split(',');
const cloudRoot = readArg('--cloud-outdir') ?? 'dist';
/**
 * `--aws-sdk=runtime` (default): the Lambda Node.js runtimes (nodejs20.x, nodejs22.x) ship AWS SDK
 * v3, so the Lambda bundles import `@aws-sdk/*` (and its `@smithy/*` core) from the runtime instead
 * of carrying their own copy: every handler stays under 1 MB. `--aws-sdk=bundled` bundles the SDK
 * version from package-lock.json into each handler instead (version pinned by us, ~0.5–0.7 MB more
 * per handler); either way the SDK is only imported, lazily, on the paths that use it.
 */
const awsSdk = readArg('--aws-sdk') ?? 'runtime';
if (awsSdk !== 'runtime' && awsSdk !== 'bundled') {
  console.error(`build: --aws-sdk must be "runtime" or "bundled", not "${awsSdk}"`);
  process.exit(2);
}
const awsSdkExternal = awsSdk === 'runtime' ? ['@aws-sdk/*', '@smithy/*'] : [];
const wanted = (name) => cloudOnly === undefined || cloudOnly.includes(name);
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
    // Split: each command's `import()` becomes a chunk, so `crosswatch normalize` does not parse the
    // runner, the sinks and the cloud SDKs it never uses.
    entryPoints: { crosswatch: 'cli/main.ts' },
    outdir: 'dist/cli',
    outfile: 'dist/cli/crosswatch.mjs',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
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
  if (cloudOnly) continue;
  const { name, outfile, ...options } = bundle;
  if (options.outdir) await rm(options.outdir, { recursive: true, force: true });
  await build({ ...common, ...options, ...(options.outdir ? {} : { outfile }) });
  const { size } = await stat(outfile);
  if (!onlyCli) console.log(`built ${name.padEnd(8)} ${outfile} (${(size / 1024).toFixed(1)} KB)`);
}

if (!onlyCli) {
  // Only the local runner opens SQLite; @azure/functions-core is provided by the Functions host.
  // Everything else is bundled: the deployment carries no node_modules.
  const cloud = {
    ...common,
    splitting: true,
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    external: ['better-sqlite3', '@azure/functions-core'],
  };

  /** The Lambda handlers: file in functions/aws → bundle name (= dist/aws/<name>/index.mjs). */
  const awsHandlers = {
    webhook: 'webhook',
    'process-inbox': 'processInbox',
    probe: 'probe',
    'aws-health': 'awsHealth',
    'poll-provider-health': 'pollProviderHealth',
    deliver: 'deliver',
    watchdog: 'watchdog',
  };
  for (const file of Object.keys(awsHandlers)) {
    if (!wanted(`aws/${file}`)) continue;
    const outdir = `${cloudRoot}/aws/${file}`;
    await rm(outdir, { recursive: true, force: true });
    const result = await build({
      ...cloud,
      entryPoints: { index: `functions/aws/${file}.ts` },
      outdir,
      // On AWS the state store is DynamoDB and evidence goes to S3 (or a directory): the Azure
      // Storage SDKs stay out of the Lambda bundles. Configuring an Azure store on Lambda fails at
      // start with "Cannot find package", which the handlers answer as 503.
      external: [
        ...cloud.external,
        ...awsSdkExternal,
        '@azure/data-tables',
        '@azure/storage-blob',
        '@azure/storage-queue',
      ],
    });
    await writeFile(`${outdir}/meta.json`, JSON.stringify(result.metafile));
    const { size } = await stat(`${outdir}/index.mjs`);
    console.log(`built aws/${file.padEnd(21)} ${outdir}/index.mjs (${(size / 1024).toFixed(1)} KB entry)`);
  }

  /** The Azure Functions app: one entry per function file, shared code in chunks. */
  const azureFunctions = [
    'service-health-webhook',
    'mesh',
    'probe',
    'poll-provider-health',
    'process-inbox',
    'inbox-poison',
    'deliver',
    'status',
    'heartbeat',
    'watchdog',
  ];
  if (wanted('azure')) {
    await rm(`${cloudRoot}/azure`, { recursive: true, force: true });
    const azure = await build({
      ...cloud,
      entryPoints: Object.fromEntries(azureFunctions.map((name) => [name, `functions/azure/${name}.ts`])),
      outdir: `${cloudRoot}/azure/functions`,
    });
    await writeFile(`${cloudRoot}/azure/meta.json`, JSON.stringify(azure.metafile));
    console.log(
      `built azure         ${cloudRoot}/azure/functions/*.mjs (${azureFunctions.length} functions)`,
    );
  }
}

#!/usr/bin/env node
// The `crosswatch` command. It runs the esbuild bundle that `npm ci` (prepare) or `npm run build` makes.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/crosswatch.mjs', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('crosswatch: the CLI is not built: run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));

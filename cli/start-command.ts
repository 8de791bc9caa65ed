/**
 * `crosswatch start` (what `npm start` runs before package.json pointed it at `serve`): an alias of
 * `crosswatch serve`, the local runner.
 */
import type { CliIo } from './cli-io.ts';

export async function runStartCommand(args: readonly string[], io: CliIo, version: string): Promise<number> {
  const { runServeCommand } = await import('./serve-command.ts');
  return runServeCommand(args, io, { version });
}

/**
 * `crosswatch replay`: runs a recorded incident (a scenario folder or files) through the engine in a
 * throwaway data directory, at the inputs' own times, and prints every decision and then the
 * incidents it left — what happened, in order, and whether crosswatch would have known first.
 * Nothing is kept unless `--keep DIR` names where to keep it.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';
import { runIncidentsCommand } from './incidents-command.ts';
import { runIngestCommand } from './ingest-command.ts';

export const REPLAY_USAGE = `Usage: crosswatch replay [options] DIR|FILE...

Replays a recorded incident through the incident engine at the inputs' own times, in a throwaway
data directory, and prints every decision, then the incidents it left (status, verdict, provider
acknowledgement, lead time). A DIR stands for its *.json files in name order, e.g.
scenarios/2026-02-02-vm-service-management.

Options:
  --json         decisions as JSON lines (as crosswatch ingest --json), then incidents as JSON lines
  --keep DIR     keep the data directory in DIR (then: crosswatch incidents --data DIR)
  --config FILE  JSON file whose "engine" section overrides the engine defaults
  -h, --help     show this help

Exit status: 0 when every input was replayed; 2 for bad usage or an input that is not valid (one
line naming it; the others are still replayed); 1 when the data store fails.
`;

async function expandInputs(paths: readonly string[]): Promise<string[] | string> {
  const files: string[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      return `${path}: no such file or directory`;
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const inputs = (await readdir(path)).filter((name) => name.endsWith('.json')).sort();
    if (inputs.length === 0) return `${path}: no *.json inputs in this directory`;
    files.push(...inputs.map((name) => join(path, name)));
  }
  return files;
}

export async function runReplayCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, 'replay', args, {
    json: { type: 'boolean' },
    keep: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  const { values, positionals } = parsed;
  if (values.help) {
    await writeText(io.stdout, REPLAY_USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0) {
    writeError(io, 'replay: give a scenario directory or input files (see crosswatch replay --help)');
    return EXIT.usage;
  }
  if (values.keep === '') {
    writeError(io, 'replay: --keep must name a directory (see crosswatch replay --help)');
    return EXIT.usage;
  }
  const files = await expandInputs(positionals);
  if (typeof files === 'string') {
    writeError(io, `replay: ${files}`);
    return EXIT.usage;
  }
  const data = values.keep ?? (await mkdtemp(join(tmpdir(), 'crosswatch-replay-')));
  try {
    const json = values.json ? ['--json'] : [];
    const config = values.config === undefined ? [] : ['--config', values.config];
    const ingested = await runIngestCommand([...files, '--data', data, ...json, ...config], io);
    if (ingested === EXIT.failure) return ingested;
    if (!values.json) await writeText(io.stdout, '\n');
    const listed = await runIncidentsCommand(['--data', data, '--all', ...json], io);
    return ingested !== EXIT.ok ? ingested : listed;
  } finally {
    if (values.keep === undefined) await rm(data, { recursive: true, force: true });
  }
}

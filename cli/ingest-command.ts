/**
 * `crosswatch ingest FILE...`: provider payloads and crosswatch event JSON lines through normalize
 * and the incident engine into the local data directory, printing every decision.
 */

import type { Decision } from '../shared/engine/decision.ts';
import { repairDecisionLog } from '../shared/engine/decision-log.ts';
import type { EngineConfig } from '../shared/engine/engine-config.ts';
import { evaluateTimers, getIncident, processEvent } from '../shared/engine/process-event.ts';
import { NormalizeError } from '../shared/ingest/errors.ts';
import { StoreUnavailableError } from '../shared/store/ports.ts';
import { type CliIo, EXIT, parseCommandArgs, readAll, writeError, writeText } from './cli-io.ts';
import { formatLeadTime } from './durations.ts';
import { EngineConfigFileError, parseEngineConfigFile } from './engine-config-file.ts';
import { type IngestInput, IngestInputError, readIngestInputs } from './ingest-inputs.ts';
import { DataDirectoryError, type DataStore, DEFAULT_DATA_DIR, openDataStore } from './open-data-store.ts';

export const INGEST_USAGE = `Usage: crosswatch ingest [options] FILE...

Runs inputs through normalize and the incident engine, keeping incidents, decisions and the raw
inputs in the data directory, and prints every decision the engine makes.

Inputs (each FILE, or - for standard input):
  a provider payload       anything crosswatch normalize accepts (Service Health webhooks, AWS Health,
                           Microsoft Graph, Resource Health, probe-result records…)
  crosswatch events        JSON lines as crosswatch normalize or crosswatch probe --json print them
                           (a file of several lines that are each a JSON object, or of one line
                           holding a crosswatch event, is read as JSON lines)

Options:
  --data DIR               data directory (default ${DEFAULT_DATA_DIR}): DIR/crosswatch.db and DIR/evidence.db
  --config FILE            JSON file whose "engine" section overrides the engine defaults
  --clock input|system     the engine's clock: input (default) decides each event at its own time
                           (data.updatedAt), so a recorded sequence replays as it happened; system
                           uses this machine's clock
  --json                   one JSON object per decision (decision, incidentKey, updateKey, reason, …)
  -h, --help               show this help

Each decision: its kind (open, update, resolve, reopen, duplicate, suppressed, escalate, recover,
observe), the incident, the reason, the incident's status and verdict after it, and the update.
After the inputs, timers are evaluated (unacknowledged escalations) at the latest input time
(--clock input) or now (--clock system). A summary line goes to stderr.

Exit status: 0 when every file was ingested; 2 when a file is unreadable or not a valid input (one
line naming it; the other files are still ingested and what was ingested stays); 1 when the data
store fails.
`;

interface Printer {
  print(decision: Decision, input: string): Promise<void>;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

function kindLabel(decision: Decision): string {
  if (decision.kind === 'suppressed' && decision.suppressedKind)
    return `suppressed(${decision.suppressedKind})`;
  return decision.stale ? `${decision.kind}(stale)` : decision.kind;
}

export function formatDecisionLine(decision: Decision, leadTimeMs: number | null): string {
  const lead = leadTimeMs === null ? '' : `  leadTime=${formatLeadTime(leadTimeMs)}`;
  return `${decision.decidedAt}  ${kindLabel(decision).padEnd(18)} ${decision.incidentKey}  reason=${decision.reason ?? '-'}  status=${decision.status ?? '-'}  verdict=${decision.verdict ?? '-'}${lead}  update=${decision.updateKey}`;
}

function createPrinter(io: CliIo, data: DataStore, json: boolean): Printer {
  return {
    async print(decision, input) {
      let leadTimeMs: number | null = null;
      if (decision.reason?.startsWith('acknowledged:')) {
        leadTimeMs = (await getIncident(data.store, decision.incidentKey))?.probeState?.leadTimeMs ?? null;
      }
      if (json) {
        const { kind, incidentKey, updateKey, reason, ...rest } = decision;
        const line = {
          decision: kind,
          incidentKey,
          updateKey,
          reason,
          ...rest,
          ...(leadTimeMs === null ? {} : { leadTimeMs }),
          input,
        };
        await writeText(io.stdout, `${JSON.stringify(line)}\n`);
      } else {
        await writeText(io.stdout, `${formatDecisionLine(decision, leadTimeMs)}\n`);
      }
    },
  };
}

async function loadConfig(io: CliIo, path: string): Promise<EngineConfig | string> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(path);
  } catch (error) {
    return `--config ${path}: ${describeReadError(error)}`;
  }
  try {
    return parseEngineConfigFile(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    if (!(error instanceof EngineConfigFileError)) throw error;
    return `--config ${path}: ${error.message}`;
  }
}

interface IngestOptions {
  readonly files: readonly string[];
  readonly clock: 'input' | 'system';
  readonly dir: string;
  readonly json: boolean;
  readonly config: EngineConfig | undefined;
}

/** The command line, checked (and the --config file loaded); an exit status when it is not usable. */
async function readIngestOptions(args: readonly string[], io: CliIo): Promise<IngestOptions | number> {
  const parsed = parseCommandArgs(io, 'ingest', args, {
    data: { type: 'string' },
    config: { type: 'string' },
    clock: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  const { values, positionals } = parsed;
  if (values.help) {
    await writeText(io.stdout, INGEST_USAGE);
    return EXIT.ok;
  }
  const usage = (message: string) => {
    writeError(io, `ingest: ${message} (see crosswatch ingest --help)`);
    return EXIT.usage;
  };
  if (positionals.length === 0) return usage('give at least one FILE (or - for standard input)');
  const clock = values.clock ?? 'input';
  if (clock !== 'input' && clock !== 'system') return usage('--clock must be input or system');
  if (values.data === '') return usage('--data must name a directory');
  let config: EngineConfig | undefined;
  if (values.config !== undefined) {
    const loaded = await loadConfig(io, values.config);
    if (typeof loaded === 'string') {
      writeError(io, `ingest: ${loaded}`);
      return EXIT.usage;
    }
    config = loaded;
  }
  return {
    files: positionals,
    clock,
    dir: values.data ?? DEFAULT_DATA_DIR,
    json: values.json === true,
    config,
  };
}

/** One ingest run: where it writes, how it prints, and what it has done so far. */
interface IngestRun {
  readonly io: CliIo;
  readonly data: DataStore;
  readonly printer: Printer;
  readonly options: IngestOptions;
  accepted: number;
  decisions: number;
  failedFiles: number;
  latestInputTime: number | undefined;
  /** What was being ingested, for the message when the data store fails. */
  where: string;
}

function toEngineDeps(run: IngestRun, now: Date) {
  const { config } = run.options;
  return { store: run.data.store, now, ...(config ? { config } : {}) };
}

/** One input: its notices, its raw bytes archived, then each of its events decided and printed. */
async function ingestInput(run: IngestRun, input: IngestInput, label: string): Promise<void> {
  const { io } = run;
  run.where = label;
  for (const notice of input.notices) writeError(io, `ingest: ${label}: notice: ${notice}`);
  if (input.ignored !== undefined) writeError(io, `ingest: ${label}: ignored: ${input.ignored}`);
  // Durable first: the raw input is in the archive before the engine decides anything from it.
  await run.data.evidence.put(input.bytes, {
    contentType: input.contentType,
    kind: `input:${input.format}`,
  });
  for (const event of input.events) {
    const eventTime = Date.parse(event.data.updatedAt);
    run.latestInputTime = Math.max(run.latestInputTime ?? eventTime, eventTime);
    const now = run.options.clock === 'system' ? io.now() : new Date(eventTime);
    for (const decision of await processEvent(event, toEngineDeps(run, now))) {
      await run.printer.print(decision, label);
      run.decisions++;
    }
  }
  run.accepted++;
}

/** One FILE (or - for standard input); an unreadable or invalid one is reported and counted. */
async function ingestFile(run: IngestRun, source: string): Promise<void> {
  const { io } = run;
  const name = source === '-' ? 'stdin' : source;
  run.where = name;
  let bytes: Uint8Array;
  try {
    bytes = source === '-' ? await readAll(io.stdin) : await io.readFile(source);
  } catch (error) {
    writeError(io, `ingest: ${name}: ${describeReadError(error)}`);
    run.failedFiles++;
    return;
  }
  let inputs: IngestInput[];
  try {
    inputs = readIngestInputs(bytes, io.now);
  } catch (error) {
    if (!(error instanceof IngestInputError) && !(error instanceof NormalizeError)) throw error;
    writeError(io, `ingest: ${name}: ${error.message}`);
    run.failedFiles++;
    return;
  }
  for (const input of inputs) {
    await ingestInput(run, input, input.line === null ? name : `${name}:${input.line}`);
  }
}

/** The timers (unacknowledged escalations), at the latest input time or now. */
async function evaluateIngestTimers(run: IngestRun): Promise<void> {
  run.where = 'timers';
  const { io, latestInputTime } = run;
  const timerNow =
    run.options.clock === 'system' || latestInputTime === undefined ? io.now() : new Date(latestInputTime);
  for (const decision of await evaluateTimers(toEngineDeps(run, timerNow))) {
    await run.printer.print(decision, 'timers');
    run.decisions++;
  }
}

export async function runIngestCommand(args: readonly string[], io: CliIo): Promise<number> {
  const options = await readIngestOptions(args, io);
  if (typeof options === 'number') return options;
  let data: DataStore;
  try {
    data = await openDataStore(options.dir, { now: io.now });
  } catch (error) {
    if (!(error instanceof DataDirectoryError)) throw error;
    writeError(io, `ingest: --data ${error.dir}: ${error.problem}`);
    return EXIT.usage;
  }
  const run: IngestRun = {
    io,
    data,
    printer: createPrinter(io, data, options.json),
    options,
    accepted: 0,
    decisions: 0,
    failedFiles: 0,
    latestInputTime: undefined,
    where: options.dir,
  };
  try {
    await repairDecisionLog(data.store);
    for (const source of options.files) await ingestFile(run, source);
    await evaluateIngestTimers(run);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    writeError(
      io,
      `ingest: ${run.where}: the data store failed (${error.message}); nothing after it was ingested`,
    );
    return EXIT.failure;
  } finally {
    await data.close();
  }
  const { accepted, decisions, failedFiles } = run;
  const failed = failedFiles === 0 ? '' : `; ${failedFiles} ${failedFiles === 1 ? 'file' : 'files'} failed`;
  io.stderr.write(
    `ingested ${accepted} ${accepted === 1 ? 'input' : 'inputs'}, ${decisions} ${decisions === 1 ? 'decision' : 'decisions'}${failed}\n`,
  );
  return failedFiles === 0 ? EXIT.ok : EXIT.usage;
}

/**
 * `crosswatch probe`: one probe round from this machine over a targets file and/or the default
 * catalog; a table (or probe-result CloudEvents as JSON lines) and a one-line round summary.
 */

import type { ProbeResult } from '../shared/event/probe-result-event.ts';
import type { Vantage } from '../shared/event/schema.ts';
import { VANTAGE_CLOUDS, type VantageCloud } from '../shared/event/vocabulary.ts';
import { buildCatalog, mergeTargets } from '../shared/probe/catalog.ts';
import { ROUND_DEFAULTS, type RoundSummary, runProbeRound } from '../shared/probe/runner.ts';
import type { CatalogConfig, TargetSpec, TargetsFile } from '../shared/probe/target-types.ts';
import { parseTargetsFile, TargetsFileError } from '../shared/probe/targets-file.ts';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';

export const PROBE_USAGE = `Usage: crosswatch probe [--targets FILE | --catalog default] [options]

Runs one probe round from this machine and prints each result: plane, target, outcome
(up, down, degraded, inconclusive), latency and error code, then a one-line round summary.

Targets:
  --targets FILE           a targets file (JSON: {"targets": [...], "disable": [...], "catalog": {...}})
  --catalog default        the built-in Azure / Microsoft 365 catalog with its control targets
                           (both may be given: file entries replace or add to catalog entries)
  --tenant-id ID           catalog placeholder {tenantId} (Entra discovery for your tenant)
  --tenant-domain DOMAIN   catalog placeholder {tenantDomain} (MX record, inbound SMTP host)
  --storage-account NAME   catalog placeholder {storageAccount} (blob data plane)
  --region NAME            catalog placeholder {region}, repeatable (regional ARM endpoints)

Round:
  --vantage ID             vantage id reported with every result (default: local)
  --vantage-cloud CLOUD    ${VANTAGE_CLOUDS.join(', ')} (default: local)
  --vantage-region REGION  the vantage's region, if any
  --timeout-ms N           per-probe timeout (default ${ROUND_DEFAULTS.timeoutMs})
  --deadline-ms N          round deadline (default 3 × the timeout)
  --concurrency N          probes in flight at once (default ${ROUND_DEFAULTS.concurrency})
  --json                   one probe-result CloudEvent per line on stdout; the summary goes to stderr
  -h, --help               show this help

Exit status: 0 when the round ran, whatever the targets answered; 2 for bad usage or a bad targets
file (one line naming the entry and the field).
`;

function parsePositiveInteger(value: string | undefined, max: number): number | undefined | null {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) return null;
  const number = Number(value);
  return number >= 1 && number <= max ? number : null;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function formatTable(results: readonly ProbeResult[]): string {
  const rows = results.map((result) => [
    result.plane,
    result.target.id,
    result.outcome + (result.reason ? ` (${result.reason})` : ''),
    result.latencyMs === null ? '-' : `${Math.round(result.latencyMs)} ms`,
    result.error ? `${result.error}${result.errorDetail ? ` ${result.errorDetail}` : ''}` : '',
  ]);
  const header = ['PLANE', 'TARGET', 'OUTCOME', 'LATENCY', 'ERROR'];
  const widths = header.map((title, column) =>
    Math.min(48, Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function formatRoundSummary(summary: RoundSummary, skipped: number): string {
  const { counts, controls } = summary;
  const control =
    controls.healthy === null
      ? 'no control targets'
      : `controls ${controls.total - controls.failed}/${controls.total} healthy${controls.healthy ? '' : ' — vantage impaired, failures are inconclusive'}`;
  const deadline = summary.deadlineReached ? '; round deadline reached' : '';
  const skippedText = skipped > 0 ? `; ${skipped} catalog targets skipped (placeholders not configured)` : '';
  return `round ${summary.roundId}: ${summary.targets} targets, ${counts.up} up, ${counts.down} down, ${counts.degraded} degraded, ${counts.inconclusive} inconclusive in ${(summary.wallMs / 1000).toFixed(2)} s; ${control}${deadline}${skippedText}`;
}

function parseProbeArgs(io: CliIo, args: readonly string[]) {
  return parseCommandArgs(io, 'probe', args, {
    targets: { type: 'string' },
    catalog: { type: 'string' },
    'tenant-id': { type: 'string' },
    'tenant-domain': { type: 'string' },
    'storage-account': { type: 'string' },
    region: { type: 'string', multiple: true },
    vantage: { type: 'string' },
    'vantage-cloud': { type: 'string' },
    'vantage-region': { type: 'string' },
    'timeout-ms': { type: 'string' },
    'deadline-ms': { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
}

type ProbeValues = NonNullable<ReturnType<typeof parseProbeArgs>>['values'];

/** Prints a usage error and gives the exit status for it. */
type UsageError = (message: string) => number;

interface RoundFlags {
  readonly vantage: Vantage;
  readonly timeoutMs: number | undefined;
  readonly deadlineMs: number | undefined;
  readonly concurrency: number | undefined;
}

/** The round flags checked (timeouts, concurrency, vantage); an exit status when one is bad. */
function readRoundFlags(values: ProbeValues, usage: UsageError): RoundFlags | number {
  const timeoutMs = parsePositiveInteger(values['timeout-ms'], 600_000);
  if (timeoutMs === null) return usage('--timeout-ms must be an integer from 1 to 600000');
  const deadlineMs = parsePositiveInteger(values['deadline-ms'], 3_600_000);
  if (deadlineMs === null) return usage('--deadline-ms must be an integer from 1 to 3600000');
  const concurrency = parsePositiveInteger(values.concurrency, 1000);
  if (concurrency === null) return usage('--concurrency must be an integer from 1 to 1000');
  const cloud = values['vantage-cloud'] ?? 'local';
  if (!(VANTAGE_CLOUDS as readonly string[]).includes(cloud)) {
    return usage(`--vantage-cloud must be one of ${VANTAGE_CLOUDS.join(', ')}`);
  }
  const vantageId = values.vantage ?? 'local';
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(vantageId)) {
    return usage('--vantage must be 1-64 letters, digits, ".", "_", ":" or "-"');
  }
  const vantage: Vantage = {
    id: vantageId,
    cloud: cloud as VantageCloud,
    region: values['vantage-region'] ?? '',
  };
  return { vantage, timeoutMs, deadlineMs, concurrency };
}

/** The --targets file, read and parsed; an exit status (after one line naming it) when it is not usable. */
async function readTargetsFlag(io: CliIo, path: string): Promise<TargetsFile | number> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(path);
  } catch (error) {
    const code = (error as { code?: string } | null)?.code;
    writeError(
      io,
      `probe: ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}`,
    );
    return EXIT.usage;
  }
  try {
    return parseTargetsFile(bytes);
  } catch (error) {
    if (!(error instanceof TargetsFileError)) throw error;
    writeError(io, `probe: ${path}: ${error.message}`);
    return EXIT.usage;
  }
}

/** The default catalog with the file's placeholders overridden by the flags; an exit status when invalid. */
function buildCatalogFlag(
  values: ProbeValues,
  fileCatalog: CatalogConfig,
  usage: UsageError,
): { readonly targets: readonly TargetSpec[]; readonly skipped: number } | number {
  const config: CatalogConfig = {
    ...fileCatalog,
    ...(values['tenant-id'] ? { tenantId: values['tenant-id'] } : {}),
    ...(values['tenant-domain'] ? { tenantDomain: values['tenant-domain'] } : {}),
    ...(values['storage-account'] ? { storageAccount: values['storage-account'] } : {}),
    ...(values.region ? { regions: values.region } : {}),
  };
  try {
    const built = buildCatalog(config);
    return { targets: built.targets, skipped: built.skipped.length };
  } catch (error) {
    if (!(error instanceof TargetsFileError)) throw error;
    return usage(`a catalog placeholder value makes an invalid target: ${error.message}`);
  }
}

export async function runProbeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseProbeArgs(io, args);
  if (parsed === undefined) return EXIT.usage;
  const { values } = parsed;
  if (values.help) {
    await writeText(io.stdout, PROBE_USAGE);
    return EXIT.ok;
  }
  const usage = (message: string) => {
    writeError(io, `probe: ${message} (see crosswatch probe --help)`);
    return EXIT.usage;
  };
  if (parsed.positionals.length > 0) return usage(`unexpected argument "${parsed.positionals[0]}"`);
  if (values.targets === undefined && values.catalog === undefined) {
    return usage('give --targets FILE or --catalog default');
  }
  if (values.catalog !== undefined && values.catalog !== 'default') {
    return usage(`unknown catalog "${values.catalog}" (only "default" exists)`);
  }
  const flags = readRoundFlags(values, usage);
  if (typeof flags === 'number') return flags;

  let file: TargetsFile = { targets: [], disable: [], catalog: {} };
  if (values.targets !== undefined) {
    const read = await readTargetsFlag(io, values.targets);
    if (typeof read === 'number') return read;
    file = read;
  }
  let catalog: { readonly targets: readonly TargetSpec[]; readonly skipped: number } = {
    targets: [],
    skipped: 0,
  };
  if (values.catalog === 'default') {
    const built = buildCatalogFlag(values, file.catalog, usage);
    if (typeof built === 'number') return built;
    catalog = built;
  }
  const targets = mergeTargets(catalog.targets, file.targets, file.disable);
  if (targets.length === 0) return usage('no targets left to probe (all disabled or skipped)');

  const { vantage, timeoutMs, deadlineMs, concurrency } = flags;
  const round = await runProbeRound(targets, {
    vantage,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    now: io.now,
  });
  const summaryLine = formatRoundSummary(round.summary, catalog.skipped);
  if (values.json) {
    for (const event of round.events) await writeText(io.stdout, `${JSON.stringify(event)}\n`);
    io.stderr.write(`${summaryLine}\n`);
  } else {
    await writeText(io.stdout, formatTable(round.results));
    await writeText(io.stdout, `${summaryLine}\n`);
  }
  return EXIT.ok;
}

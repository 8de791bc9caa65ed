/**
 * `crosswatch normalize [FILE|-]...`: provider payloads in, one CloudEvent JSON object per line out.
 */
import { NormalizeError } from '../shared/ingest/errors.ts';
import { normalizeText } from '../shared/ingest/normalize.ts';
import { type CliIo, EXIT, parseCommandArgs, readAll, writeError, writeText } from './cli-io.ts';

export const NORMALIZE_USAGE = `Usage: crosswatch normalize [options] [FILE|-]...

Reads provider payloads (JSON) and prints one crosswatch event (CloudEvents 1.0, schema v1)
per line on stdout. With no FILE, or with -, reads standard input.

Recognized inputs:
  Azure Monitor common alert schema     ServiceHealth, ResourceHealth (other alert types are ignored)
  Azure legacy activity-log webhook     Microsoft.Insights/activityLogs (ServiceHealth, ResourceHealth)
  Azure activity-log records            raw records, REST value[] lists, common-schema alertContext
  Azure Resource Health REST            events, availabilityStatuses, impactedResources (2025-04-01)
  AWS Health                            EventBridge aws.health events, PutEvents entries, AHA events
  Microsoft Graph service health        serviceHealthIssue objects and value[] lists
  crosswatch probe results              probe-result records and probe-result CloudEvents

Options:
  --pretty     indent each event (one JSON document per event, not one per line)
  -h, --help   show this help

Exit status: 0 when every input was normalized or deliberately ignored (the reason goes to stderr),
2 when an input is unreadable, not JSON, or not a recognized payload (one line on stderr naming it).
Events from inputs that succeeded are printed even when a later input fails.
`;

function describeSource(path: string): string {
  return path === '-' ? 'stdin' : path;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, expected a JSON file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

export async function runNormalizeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, 'normalize', args, {
    pretty: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  if (parsed.values.help) {
    await writeText(io.stdout, NORMALIZE_USAGE);
    return EXIT.ok;
  }
  const sources = parsed.positionals.length > 0 ? parsed.positionals : ['-'];
  let exitCode: number = EXIT.ok;
  for (const source of sources) {
    const name = describeSource(source);
    let bytes: Uint8Array;
    try {
      bytes = source === '-' ? await readAll(io.stdin) : await io.readFile(source);
    } catch (error) {
      writeError(io, `${name}: ${describeReadError(error)}`);
      exitCode = EXIT.usage;
      continue;
    }
    try {
      const output = normalizeText(bytes, { now: io.now });
      for (const notice of output.notices) writeError(io, `${name}: notice: ${notice}`);
      if (output.ignored !== undefined) writeError(io, `${name}: ignored: ${output.ignored}`);
      for (const event of output.events) {
        await writeText(
          io.stdout,
          `${parsed.values.pretty ? JSON.stringify(event, null, 2) : JSON.stringify(event)}\n`,
        );
      }
    } catch (error) {
      if (!(error instanceof NormalizeError)) throw error;
      writeError(io, `${name}: ${error.message}`);
      exitCode = EXIT.usage;
    }
  }
  return exitCode;
}

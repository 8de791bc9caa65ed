/**
 * `crosswatch route --explain EVENT_FILE`: which routing rules an event's notification would match,
 * and why each matched or not, and the sinks it would go to (with their fallback chains).
 */
import { DECISION_KINDS, type DecisionKind, VERDICTS } from '../shared/engine/decision.ts';
import { NormalizeError } from '../shared/ingest/errors.ts';
import { describeEventRouteSubject, explainRoute, formatRouteExplanation } from '../shared/notify/routing.ts';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';
import { type IngestInput, IngestInputError, readIngestInputs } from './ingest-inputs.ts';
import { loadNotifyConfigFile, NotifyConfigFileError } from './notify-config-file.ts';

export const ROUTE_USAGE = `Usage: crosswatch route --explain EVENT_FILE [options]

Shows how the notify routing rules treat an event: every rule in order, whether it matched and why
(each criterion checked), whether the default route applied, and the sinks the notification would go
to with their fallback chains. Nothing is sent and nothing is stored.

EVENT_FILE is anything crosswatch ingest reads: a provider payload (Service Health webhook, AWS
Health, Graph, Resource Health…) or crosswatch events as JSON lines; each event is explained.

Options:
  --explain EVENT_FILE     the event(s) to explain
  --config FILE            config file with a "notify" section (default ./crosswatch.config.json when
                           present; otherwise one console sink and the default route to it)
  --kind KIND              the decision kind to route (default: resolve for a resolved event, else open):
                           ${DECISION_KINDS.join(', ')}
  --verdict VERDICT        the verdict to assume (probe results alone have none): ${VERDICTS.join(', ')}
  --json                   one JSON explanation per event
  -h, --help               show this help

The incident's age is taken at the event's own update time; provider events count as acknowledged
by the provider, probe results do not.

Exit status: 0 when every event was explained; 2 for bad usage, an unreadable or unrecognized event
file, or a bad config (one line naming the file and the field).
`;

/** The events in EVENT_FILE; an exit status (after one line naming the file) when there are none. */
async function readEventsToRoute(io: CliIo, file: string): Promise<IngestInput['events'] | number> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(file);
  } catch (error) {
    const code = (error as { code?: string } | null)?.code;
    writeError(
      io,
      `route: ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}`,
    );
    return EXIT.usage;
  }
  let inputs: IngestInput[];
  try {
    inputs = readIngestInputs(bytes, io.now);
  } catch (error) {
    if (!(error instanceof IngestInputError) && !(error instanceof NormalizeError)) throw error;
    writeError(io, `route: ${file}: ${error.message}`);
    return EXIT.usage;
  }
  const events = inputs.flatMap((input) => input.events);
  if (events.length === 0) {
    writeError(
      io,
      `route: ${file}: holds no event to route${inputs[0]?.ignored ? ` (${inputs[0].ignored})` : ''}`,
    );
    return EXIT.usage;
  }
  return events;
}

export async function runRouteCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, 'route', args, {
    explain: { type: 'string' },
    config: { type: 'string' },
    kind: { type: 'string' },
    verdict: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  const { values, positionals } = parsed;
  if (values.help) {
    await writeText(io.stdout, ROUTE_USAGE);
    return EXIT.ok;
  }
  const usage = (message: string) => {
    writeError(io, `route: ${message} (see crosswatch route --help)`);
    return EXIT.usage;
  };
  if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`);
  if (values.explain === undefined || values.explain === '') return usage('give --explain EVENT_FILE');
  const kind = values.kind;
  if (kind !== undefined && !(DECISION_KINDS as readonly string[]).includes(kind)) {
    return usage(`--kind must be one of ${DECISION_KINDS.join(', ')}`);
  }
  const verdict = values.verdict;
  if (verdict !== undefined && !(VERDICTS as readonly string[]).includes(verdict)) {
    return usage(`--verdict must be one of ${VERDICTS.join(', ')}`);
  }

  let config: Awaited<ReturnType<typeof loadNotifyConfigFile>>['config'];
  try {
    config = (await loadNotifyConfigFile(io, values.config)).config;
  } catch (error) {
    if (!(error instanceof NotifyConfigFileError)) throw error;
    writeError(io, `route: ${error.message}`);
    return EXIT.usage;
  }

  const events = await readEventsToRoute(io, values.explain);
  if (typeof events === 'number') return events;
  for (const event of events) {
    const subject = describeEventRouteSubject(event, {
      ...(kind === undefined ? {} : { kind: kind as DecisionKind }),
      ...(verdict === undefined ? {} : { verdict }),
    });
    const explanation = explainRoute(config, subject);
    if (values.json) {
      await writeText(
        io.stdout,
        `${JSON.stringify({ incidentKey: event.data.incidentKey, updateKey: event.data.updateKey, ...explanation })}\n`,
      );
    } else {
      await writeText(io.stdout, `event ${event.data.incidentKey} (${event.data.updateKey})\n`);
      await writeText(io.stdout, formatRouteExplanation(explanation));
    }
  }
  return EXIT.ok;
}

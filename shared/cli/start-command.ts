/**
 * `crosswatch start` (what `npm start` runs). The long-running local runner (webhook server, probe
 * schedule, outbox worker) arrives with the runtimes work; until then this command says plainly what
 * this build can and cannot do, instead of pretending to run.
 */
import { INPUT_FORMATS } from '../ingest/detect.ts';
import { type CliIo, EXIT, parseCommandArgs, writeText } from './cli-io.ts';

export const START_USAGE = `Usage: crosswatch start

Starts crosswatch locally on its embedded defaults. In this version it prints what the build can
do today and exits; see the README's "Status" section.
`;

export async function runStartCommand(args: readonly string[], io: CliIo, version: string): Promise<number> {
  const parsed = parseCommandArgs(io, 'start', args, { help: { type: 'boolean', short: 'h' } });
  if (parsed === undefined) return EXIT.usage;
  if (parsed.values.help) {
    await writeText(io.stdout, START_USAGE);
    return EXIT.ok;
  }
  const formats = INPUT_FORMATS.map((format) => format.id).join(', ');
  await writeText(
    io.stdout,
    `crosswatch ${version}

Available in this build:
  crosswatch normalize [FILE|-]   turn provider payloads into crosswatch events (CloudEvents 1.0, schema v1)
                                  formats: ${formats}
  event schema                    schema/crosswatch-event.v1.schema.json

Not yet available (tracked as open work, see README "Status"):
  local runner                    webhook server on 127.0.0.1:7071, probe schedule, outbox worker
  probes, incident engine, notifications, Azure Functions and AWS Lambda deployments

Nothing is running. Try:
  crosswatch normalize test/fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json
`,
  );
  return EXIT.ok;
}

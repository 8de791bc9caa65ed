/**
 * `crosswatch send-test --sink NAME`: sends one sample notification straight through a configured
 * sink (not through the outbox: nothing is stored, nothing is retried) and prints what the sink
 * answered, so a new webhook URL, routing key or SMTP account can be checked in one step.
 */
import { createDecision } from '../shared/engine/decision.ts';
import { createNotificationMessage, type NotificationMessage } from '../shared/notify/message.ts';
import type { SendResult } from '../shared/notify/sink.ts';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';
import { loadNotifyConfigFile, NotifyConfigFileError } from './notify-config-file.ts';

export const SEND_TEST_USAGE = `Usage: crosswatch send-test --sink NAME [--config FILE]

Sends one sample notification ("crosswatch test notification") through the named sink and prints
the sink's answer: delivered (with the destination's receipt), retry-after, transient or permanent,
and the detail (HTTP status, SMTP reply…; secrets are never printed). It goes straight to the sink,
not through the outbox: nothing is queued, retried or stored. On PagerDuty and Opsgenie it opens a
test alert keyed crosswatch:send-test:<time>; resolve it there.

Options:
  --sink NAME              a sink named in the config's notify.sinks
  --config FILE            config file with a "notify" section (default ./crosswatch.config.json when
                           present; otherwise the console sink "console")
  -h, --help               show this help

Exit status: 0 when the sink delivered it; 1 when the sink answered with a failure; 2 for bad usage,
an unknown sink or a bad config (one line naming the file and the field).
`;

/** The sample: an `open` decision of a synthetic incident, rendered by the real message builder. */
export function buildSampleMessage(now: Date): NotificationMessage {
  const at = now.toISOString();
  const decision = createDecision({
    kind: 'open',
    reason: 'send-test',
    suppressedKind: null,
    incidentKey: `crosswatch:send-test:${now.getTime()}`,
    updateKey: `crosswatch:send-test:${now.getTime()}:1`,
    eventId: null,
    stale: false,
    decidedAt: at,
    eventTime: at,
    status: 'open',
    verdict: null,
    stage: null,
    title: 'crosswatch test notification',
    severity: 'info',
    provider: 'crosswatch',
    category: 'advisory',
  });
  return createNotificationMessage(decision, null, { now });
}

function describeResult(result: SendResult): string {
  const status = result.status === null ? '' : ` (status ${result.status})`;
  switch (result.outcome) {
    case 'delivered':
      return `delivered${status}${result.receipt ? `, receipt ${result.receipt}` : ''}: ${result.detail}`;
    case 'retry-after':
      return `retry-after ${result.retryAfterMs} ms${status}: ${result.detail}`;
    default:
      return `${result.outcome}${status}: ${result.detail}`;
  }
}

export async function runSendTestCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, 'send-test', args, {
    sink: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  const { values, positionals } = parsed;
  if (values.help) {
    await writeText(io.stdout, SEND_TEST_USAGE);
    return EXIT.ok;
  }
  const usage = (message: string) => {
    writeError(io, `send-test: ${message} (see crosswatch send-test --help)`);
    return EXIT.usage;
  };
  if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`);
  if (values.sink === undefined || values.sink === '') return usage('give --sink NAME');

  let loaded: Awaited<ReturnType<typeof loadNotifyConfigFile>>;
  try {
    loaded = await loadNotifyConfigFile(io, values.config);
  } catch (error) {
    if (!(error instanceof NotifyConfigFileError)) throw error;
    writeError(io, `send-test: ${error.message}`);
    return EXIT.usage;
  }
  const sinkConfig = loaded.config.sinks.find((sink) => sink.name === values.sink);
  if (!sinkConfig) {
    const names = loaded.config.sinks.map((sink) => sink.name).join(', ');
    writeError(io, `send-test: no sink named "${values.sink}" in ${loaded.source} (configured: ${names})`);
    return EXIT.usage;
  }
  const { createSink } = await import('../shared/notify/create-sink.ts');
  const sink = createSink(sinkConfig, { stdout: io.stdout, now: io.now });
  const now = io.now();
  const result = await sink.send(buildSampleMessage(now), {
    deliveryId: `send-test-${now.getTime()}`,
    attempt: 1,
    signal: AbortSignal.timeout(loaded.config.outbox.attemptTimeoutMs),
  });
  await writeText(io.stdout, `send-test: ${sink.name} (${sink.kind}): ${describeResult(result)}\n`);
  return result.outcome === 'delivered' ? EXIT.ok : EXIT.failure;
}

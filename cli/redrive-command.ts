/**
 * `crosswatch redrive ID... | --all-dead`: puts dead letters back at the head of their sink's queue
 * with a fresh attempt count; the next outbox run sends them (or right away with --send).
 */
import { RedriveError, redriveAllDead, redriveDelivery } from '../shared/notify/dead-letters.ts';
import type { DeliveryRecord } from '../shared/notify/delivery-record.ts';
import { StoreUnavailableError } from '../shared/store/ports.ts';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';
import { loadNotifyConfigFile, NotifyConfigFileError } from './notify-config-file.ts';
import { DataDirectoryError, type DataStore, DEFAULT_DATA_DIR, openDataStore } from './open-data-store.ts';

export const REDRIVE_USAGE = `Usage: crosswatch redrive ID... | --all-dead [--send [--config FILE]] [--data DIR]

Re-queues dead letters (see crosswatch deliveries --dead): each goes back to the head of its sink's
queue with a fresh attempt count and a new max-age window. The outbox worker (crosswatch start, or
the deployed functions) sends them on its next run; --send sends them now from this process.

Options:
  --all-dead               every dead letter
  --send                   run the outbox once now for the configured sinks and print the outcome
  --config FILE            config file with a "notify" section, for --send (default ./crosswatch.config.json)
  --data DIR               data directory (default ${DEFAULT_DATA_DIR}): DIR/crosswatch.db
  -h, --help               show this help

Exit status: 0 when every named delivery was re-queued (and, with --send, nothing is left dead);
2 for bad usage or an id that is missing or not dead; 1 when the data store fails or a redriven
delivery died again.
`;

type SendConfig = Awaited<ReturnType<typeof loadNotifyConfigFile>>['config'];

/** Re-queues every dead letter, or the named ones; an exit status when an id is missing or not dead. */
async function redriveDeadLetters(
  io: CliIo,
  data: DataStore,
  allDead: boolean,
  ids: readonly string[],
): Promise<DeliveryRecord[] | number> {
  const redriven: DeliveryRecord[] = [];
  if (allDead) {
    redriven.push(...(await redriveAllDead(data.store, io.now())));
    return redriven;
  }
  for (const id of ids) {
    try {
      redriven.push(await redriveDelivery(data.store, id, io.now()));
    } catch (error) {
      if (!(error instanceof RedriveError)) throw error;
      writeError(io, `redrive: ${error.message}`);
      return EXIT.usage;
    }
  }
  return redriven;
}

/** --send: one outbox run now for the sinks of the redriven deliveries that are configured here. */
async function sendRedriven(
  io: CliIo,
  data: DataStore,
  sendConfig: SendConfig,
  redriven: readonly DeliveryRecord[],
): Promise<number> {
  const { createConfiguredSinks } = await import('../shared/notify/configured-sinks.ts');
  const { createOutboxWorker } = await import('../shared/notify/outbox-worker.ts');
  const sinks = createConfiguredSinks(sendConfig, { stdout: io.stdout, now: io.now });
  const wanted = new Set(redriven.map((record) => record.sink));
  const worker = createOutboxWorker({
    store: data.store,
    sinks: sinks.filter((sink) => wanted.has(sink.name)),
    settings: sendConfig.outbox,
    now: io.now,
    evidence: data.evidence,
  });
  const summary = await worker.runOnce();
  await writeText(
    io.stdout,
    `sent: ${summary.delivered} delivered, ${summary.retried} to retry, ${summary.dead} dead\n`,
  );
  const missing = [...wanted].filter((name) => !sinks.some((sink) => sink.name === name));
  if (missing.length > 0) writeError(io, `redrive: not configured here, left queued: ${missing.join(', ')}`);
  return summary.dead > 0 ? EXIT.failure : EXIT.ok;
}

export async function runRedriveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, 'redrive', args, {
    'all-dead': { type: 'boolean' },
    send: { type: 'boolean' },
    config: { type: 'string' },
    data: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  const { values, positionals } = parsed;
  if (values.help) {
    await writeText(io.stdout, REDRIVE_USAGE);
    return EXIT.ok;
  }
  const usage = (message: string) => {
    writeError(io, `redrive: ${message} (see crosswatch redrive --help)`);
    return EXIT.usage;
  };
  const allDead = values['all-dead'] === true;
  if (allDead && positionals.length > 0) return usage('give delivery ids or --all-dead, not both');
  if (!allDead && positionals.length === 0) return usage('give a delivery ID or --all-dead');
  if (values.config !== undefined && !values.send) return usage('--config is only used with --send');
  if (values.data === '') return usage('--data must name a directory');

  let sendConfig: SendConfig | undefined;
  if (values.send) {
    try {
      sendConfig = (await loadNotifyConfigFile(io, values.config)).config;
    } catch (error) {
      if (!(error instanceof NotifyConfigFileError)) throw error;
      writeError(io, `redrive: ${error.message}`);
      return EXIT.usage;
    }
  }

  let data: DataStore;
  try {
    data = await openDataStore(values.data ?? DEFAULT_DATA_DIR, { now: io.now });
  } catch (error) {
    if (!(error instanceof DataDirectoryError)) throw error;
    writeError(io, `redrive: --data ${error.message}`);
    return EXIT.usage;
  }
  try {
    const redriven = await redriveDeadLetters(io, data, allDead, positionals);
    if (typeof redriven === 'number') return redriven;
    for (const record of redriven) await writeText(io.stdout, `redriven ${record.id} (${record.sink})\n`);
    await writeText(
      io.stdout,
      `${redriven.length} ${redriven.length === 1 ? 'delivery' : 'deliveries'} re-queued\n`,
    );
    if (!sendConfig || redriven.length === 0) return EXIT.ok;
    return await sendRedriven(io, data, sendConfig, redriven);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    writeError(io, `redrive: the data store failed (${error.message})`);
    return EXIT.failure;
  } finally {
    await data.close();
  }
}

/**
 * `crosswatch deliveries`: the outbox's deliveries in the data directory — pending, delivered and
 * dead — with their attempts, receipts and dead-letter reasons.
 */
import { listDeliveries } from '../shared/notify/dead-letters.ts';
import type { DeliveryRecord } from '../shared/notify/delivery-record.ts';
import { StoreUnavailableError } from '../shared/store/ports.ts';
import { type CliIo, EXIT, parseCommandArgs, writeError, writeText } from './cli-io.ts';
import { DataDirectoryError, type DataStore, DEFAULT_DATA_DIR, openDataStore } from './open-data-store.ts';

export const DELIVERIES_USAGE = `Usage: crosswatch deliveries [--dead | --pending] [--json] [--data DIR]

Lists notification deliveries (one per decision and sink): status (pending, delivered, dead),
sink, attempts, when it was queued, its id, and the title — or, for a dead letter, why it gave up.

Options:
  --dead                   only dead letters (redrive them with crosswatch redrive ID | --all-dead)
  --pending                only deliveries still waiting to be sent or retried
  --json                   one delivery record per line (status, attempts, history, receipt, reason…)
  --data DIR               data directory (default ${DEFAULT_DATA_DIR}): DIR/crosswatch.db
  -h, --help               show this help

Exit status: 0 success (also when there is nothing to list); 2 bad usage or an unusable data
directory; 1 when the data store fails.
`;

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function describe(record: DeliveryRecord): string {
  if (record.status === 'dead') return `dead: ${record.deadReason ?? 'unknown reason'}`;
  if (record.status === 'pending' && record.lastAttempt) {
    return `${record.message.title} — retry at ${new Date(record.nextAttemptAt).toISOString()} (last: ${record.lastAttempt.outcome} ${record.lastAttempt.detail})`;
  }
  return record.message.title;
}

function formatTable(records: readonly DeliveryRecord[]): string {
  const header = ['STATUS', 'SINK', 'ATTEMPTS', 'QUEUED', 'ID', 'DETAIL'];
  const rows = records.map((record) => [
    record.status,
    record.sink,
    String(record.attempts),
    record.queuedAt,
    record.id,
    describe(record),
  ]);
  const widths = header.map((title, column) =>
    Math.min(80, Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export async function runDeliveriesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, 'deliveries', args, {
    dead: { type: 'boolean' },
    pending: { type: 'boolean' },
    json: { type: 'boolean' },
    data: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed === undefined) return EXIT.usage;
  const { values, positionals } = parsed;
  if (values.help) {
    await writeText(io.stdout, DELIVERIES_USAGE);
    return EXIT.ok;
  }
  const usage = (message: string) => {
    writeError(io, `deliveries: ${message} (see crosswatch deliveries --help)`);
    return EXIT.usage;
  };
  if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`);
  if (values.dead && values.pending) return usage('give --dead or --pending, not both');
  if (values.data === '') return usage('--data must name a directory');
  let data: DataStore;
  try {
    data = await openDataStore(values.data ?? DEFAULT_DATA_DIR, { now: io.now });
  } catch (error) {
    if (!(error instanceof DataDirectoryError)) throw error;
    writeError(io, `deliveries: --data ${error.message}`);
    return EXIT.usage;
  }
  try {
    const status = values.dead ? 'dead' : values.pending ? 'pending' : undefined;
    const records = await listDeliveries(data.store, status === undefined ? {} : { status });
    if (values.json) {
      for (const record of records) await writeText(io.stdout, `${JSON.stringify(record)}\n`);
      return EXIT.ok;
    }
    if (records.length > 0) await writeText(io.stdout, formatTable(records));
    const count = (s: string) => records.filter((record) => record.status === s).length;
    const what =
      status === undefined ? 'deliveries' : status === 'dead' ? 'dead letters' : 'pending deliveries';
    await writeText(
      io.stdout,
      `${records.length} ${what}: ${count('delivered')} delivered, ${count('pending')} pending, ${count('dead')} dead\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    writeError(io, `deliveries: the data store failed (${error.message})`);
    return EXIT.failure;
  } finally {
    await data.close();
  }
}

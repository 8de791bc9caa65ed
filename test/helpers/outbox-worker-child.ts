/**
 * A child process for the outbox crash test: one outbox run on a SQLite store file with a real
 * Standard Webhooks sink. The parent's server kills it (SIGKILL) while the POST is in flight, i.e.
 * after the destination received the message and before the child could mark it delivered.
 *
 * usage: node --import tsx test/helpers/outbox-worker-child.ts <db> <url> <secret> <nowIso>
 */
import { createSink } from '../../shared/notify/create-sink.ts';
import { DEFAULT_OUTBOX_SETTINGS } from '../../shared/notify/outbox-settings.ts';
import { runOutboxOnce } from '../../shared/notify/outbox-worker.ts';
import { createSqliteStore } from '../../shared/store/sqlite-store.ts';

const [db, url, secret, nowIso] = process.argv.slice(2);
if (!db || !url || !secret || !nowIso) throw new Error('usage: <db> <url> <secret> <nowIso>');
const store = createSqliteStore({ path: db });
const sink = createSink({
  kind: 'webhook',
  name: 'hook',
  url,
  secret,
  allowInsecure: true,
  allowPrivate: true,
});
process.stdout.write('ready\n');
await runOutboxOnce({
  store,
  sinks: [sink],
  settings: DEFAULT_OUTBOX_SETTINGS,
  now: () => new Date(nowIso),
  workerId: 'child',
});
process.stdout.write('finished\n');
await store.close();

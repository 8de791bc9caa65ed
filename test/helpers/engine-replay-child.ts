/**
 * A child process for the engine's crash-restart test: processes events[from..to) from a JSON file
 * on a SQLite store file and prints each finished index on its own line. The parent kills it with
 * SIGKILL part-way through.
 *
 * usage: node --import tsx test/helpers/engine-replay-child.ts <db> <events.json> <from> <to> <nowIso>
 */
import { readFileSync } from 'node:fs';
import { processEvent } from '../../shared/engine/process-event.ts';
import type { CrosswatchEvent } from '../../shared/event/schema.ts';
import { createSqliteStore } from '../../shared/store/sqlite-store.ts';

const [db, eventsFile, from, to, nowIso] = process.argv.slice(2);
if (!db || !eventsFile || !from || !to || !nowIso)
  throw new Error('usage: <db> <events.json> <from> <to> <now>');
const store = createSqliteStore({ path: db });
const events = JSON.parse(readFileSync(eventsFile, 'utf8')) as CrosswatchEvent[];
for (let i = Number(from); i < Number(to); i++) {
  const event = events[i];
  if (!event) break;
  await processEvent(event, { store, now: new Date(nowIso) });
  process.stdout.write(`${i}\n`);
}
await store.close();

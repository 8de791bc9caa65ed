/**
 * A child process for the SQLite tests, on its own connection to a shared file.
 *
 *   increment <worker> <n>: adds 1 to counters/shared n times through updateItem.
 *   write <from> <n>: creates incidents/<i> and decisions/<i> for from <= i < from + n, printing
 *              `ack <i> <decision version>` once both are acknowledged, then waits to be killed
 *              (the crash-restart test kills it part-way).
 *
 * usage: node --import tsx test/helpers/sqlite-store-child.ts <db> <mode> ...
 */
import { updateItem } from '../../shared/store/ports.ts';
import { createSqliteStore } from '../../shared/store/sqlite-store.ts';

const [path, mode, ...rest] = process.argv.slice(2);
if (!path || !mode) throw new Error('usage: <db> increment <worker> <n> | write <from> <n>');
const store = createSqliteStore({ path });

if (mode === 'increment') {
  const [worker, n] = rest;
  for (let i = 0; i < Number(n); i++) {
    await updateItem<{ count: number; last: string }>(
      store,
      'counters',
      'shared',
      (current) => ({ count: (current?.count ?? 0) + 1, last: `${worker}:${i}` }),
      { maxAttempts: 10_000 },
    );
  }
  await store.close();
} else if (mode === 'write') {
  const from = Number(rest[0]);
  const n = Number(rest[1]);
  for (let i = from; i < from + n; i++) {
    const key = `azure:INC-${String(i).padStart(5, '0')}`;
    const incident = { incidentKey: key, status: 'active', scope: { subscriptionIds: [`sub-${i}`] } };
    await store.put('incidents', key, incident, { expectedVersion: null });
    const decision = await store.put(
      'decisions',
      `2026-02-06T12:00:00.000Z|${String(i).padStart(5, '0')}`,
      { decision: 'open', incidentKey: key, padding: 'x'.repeat(i % 50 === 0 ? 70_000 : 200) },
      { expectedVersion: null },
    );
    await updateItem<{ count: number }>(store, 'counters', 'written', (c) => ({
      count: (c?.count ?? 0) + 1,
    }));
    process.stdout.write(`ack ${i} ${decision.version}\n`);
  }
  process.stdout.write('done\n');
  // Stay alive until killed: the parent decides when the crash happens.
  setInterval(() => {}, 1000);
} else {
  throw new Error(`unknown mode ${mode}`);
}

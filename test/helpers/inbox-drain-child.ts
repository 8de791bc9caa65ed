/**
 * A child process for the drain crash test: drains a SQLite inbox into a SQLite state store through
 * the batched pipeline (drain-inbox.ts). With a crash point `<collection>:<n>`, it kills itself with
 * SIGKILL right after its n-th write (put or putMany) to that collection has committed — a real
 * kill -9 at a chosen step of a batch: after the incident write, the decision log, the outbox.
 *
 * usage: node --import tsx test/helpers/inbox-drain-child.ts <state.db> <inbox.db> <collection:n | none>
 */
import { DEFAULT_ENGINE_CONFIG } from '../../shared/engine/engine-config.ts';
import { createSqliteInbox } from '../../shared/inbox/sqlite-inbox.ts';
import { createSilentLogger } from '../../shared/observability/logger.ts';
import { createInMemoryMetrics } from '../../shared/observability/metrics.ts';
import { drainInbox } from '../../shared/pipeline/drain-inbox.ts';
import type { StateStore } from '../../shared/store/ports.ts';
import { createSqliteStore } from '../../shared/store/sqlite-store.ts';

const [statePath, inboxPath, crashAt] = process.argv.slice(2);
if (!statePath || !inboxPath || !crashAt)
  throw new Error('usage: <state.db> <inbox.db> <collection:n | none>');
const [crashCollection, crashCount] =
  crashAt === 'none' ? [null, 0] : [crashAt.split(':')[0], Number(crashAt.split(':')[1])];

function withCrashPoint(store: StateStore): StateStore {
  let writes = 0;
  const afterWrite = (collection: string) => {
    if (collection === crashCollection && ++writes === crashCount) process.kill(process.pid, 'SIGKILL');
  };
  return {
    ...store,
    get: (c, k) => store.get(c, k),
    getMany: (c, k) => store.getMany(c, k),
    list: (c, o) => store.list(c, o),
    delete: (c, k, o) => store.delete(c, k, o),
    purgeExpired: (c, n) => store.purgeExpired(c, n),
    close: () => store.close(),
    put: async (collection, key, value, options) => {
      const stored = await store.put(collection, key, value, options);
      afterWrite(collection);
      return stored;
    },
    putMany: async (collection, items) => {
      await store.putMany(collection, items);
      afterWrite(collection);
    },
  };
}

const store = withCrashPoint(createSqliteStore({ path: statePath }));
const inbox = createSqliteInbox({ path: inboxPath });
const now = new Date('2026-02-06T12:00:00.000Z');
const summary = await drainInbox(inbox, {
  store,
  evidence: null,
  engine: DEFAULT_ENGINE_CONFIG,
  routing: { routes: [], defaultRoute: { sinks: ['ops'], fallback: [] } },
  now: () => now,
  logger: createSilentLogger(),
  metrics: createInMemoryMetrics(),
});
await inbox.close();
await store.close();
process.stdout.write(`${JSON.stringify(summary)}\n`);

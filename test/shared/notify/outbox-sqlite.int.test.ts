/**
 * The outbox contract on the SQLite store (a real file in a temp dir); the concurrent-workers case
 * uses a second connection to the same file, as two processes would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteStore } from '../../../shared/store/sqlite-store.ts';
import { describeOutboxContract } from './outbox-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'crosswatch-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
describeOutboxContract('sqlite', async () => {
  const path = join(dir, `outbox-${++n}.db`);
  const store = createSqliteStore({ path });
  return { store, second: () => createSqliteStore({ path }), cleanup: () => store.close() };
});

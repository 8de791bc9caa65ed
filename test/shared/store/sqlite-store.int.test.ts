/**
 * The SQLite adapter: the shared contract on a real file, plus what only a file database has —
 * migrations recorded once, reopening, several processes writing one file, and the directory made
 * when missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError, StoreUsageError } from '../../../shared/store/ports.ts';
import { createSqliteStore, SQLITE_SCHEMA_VERSION } from '../../../shared/store/sqlite-store.ts';
import { describeStateStoreContract } from './state-store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'crosswatch-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStateStoreContract('sqlite', async () => {
  const store = createSqliteStore({ path: join(dir, 'contract', 'state.db') });
  return { store, cleanup: () => store.close() };
});

const WORKER = fileURLToPath(new URL('../../helpers/sqlite-store-child.ts', import.meta.url));

function runWorker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worker exit ${code}: ${err}`)),
    );
  });
}

describe('SQLite store on a file', () => {
  it('creates the directory, uses WAL and records each migration once', async () => {
    const path = join(dir, 'fresh', 'nested', 'state.db');
    const store = createSqliteStore({ path });
    await store.put('things', 'k', { n: 1 });
    await store.close();
    const again = createSqliteStore({ path });
    expect((await again.get('things', 'k'))?.value).toEqual({ n: 1 });
    await again.close();

    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toHaveLength(SQLITE_SCHEMA_VERSION);
    expect(rows[0]).toEqual({ version: 1, name: 'documents' });
    db.close();
  });

  it('refuses a database migrated by a newer program', async () => {
    const path = join(dir, 'newer.db');
    await createSqliteStore({ path }).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00Z')").run();
    db.close();
    expect(() => createSqliteStore({ path })).toThrow(StoreUsageError);
  });

  it('a write lock held past busyTimeoutMs is StoreUnavailableError; reads still work', async () => {
    const path = join(dir, 'locked.db');
    const store = createSqliteStore({ path, busyTimeoutMs: 50 });
    await store.put('things', 'k', 1);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(store.put('things', 'k', 2)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect((await store.get('things', 'k'))?.value).toBe(1);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await store.put('things', 'k', 3)).value).toBe(3);
    await store.close();
  });

  it('is closed after close()', async () => {
    const store = createSqliteStore({ path: join(dir, 'closed.db') });
    await store.close();
    await expect(store.get('things', 'k')).rejects.toBeInstanceOf(StoreUsageError);
    await store.close();
  });

  it('four processes incrementing one counter on one file lose no update', async () => {
    const path = join(dir, 'multi-process.db');
    // Migrate once up front so the workers race on documents, not on the schema.
    await createSqliteStore({ path }).close();
    await Promise.all([0, 1, 2, 3].map((worker) => runWorker([path, 'increment', String(worker), '50'])));
    const store = createSqliteStore({ path });
    expect((await store.get<{ count: number }>('counters', 'shared'))?.value.count).toBe(200);
    await store.close();
  });

  it('four processes opening a new file at once migrate it once', async () => {
    const path = join(dir, 'race-open', 'state.db');
    await Promise.all([0, 1, 2, 3].map((worker) => runWorker([path, 'increment', String(worker), '5'])));
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({
      n: SQLITE_SCHEMA_VERSION,
    });
    db.close();
    const store = createSqliteStore({ path });
    expect((await store.get<{ count: number }>('counters', 'shared'))?.value.count).toBe(20);
    await store.close();
  });
});

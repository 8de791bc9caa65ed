/**
 * The embedded SQLite StateStore (better-sqlite3): the default for `npm start` and self-hosting.
 *
 * - One table `documents (collection, key, version, body, expires_at)`; the key is stored as UTF-16BE
 *   bytes (key-bytes.ts) so SQLite's byte-wise BLOB order is the port's code-unit order.
 * - Every write is ONE statement (INSERT … ON CONFLICT DO NOTHING for create-only, UPDATE … WHERE
 *   version = ? for compare-and-swap, an upsert with RETURNING otherwise): SQLite runs each in its own
 *   transaction, so the condition and the write are atomic across connections and processes.
 * - WAL journal + busy_timeout: several processes may share one file; readers never block the writer,
 *   and a writer waits up to `busyTimeoutMs` for another writer before StoreUnavailableError.
 * - Durability: `synchronous = NORMAL` (the default here) keeps every acknowledged write across a
 *   process crash (kill -9); after a power loss or OS crash the last transactions before it may be
 *   rolled back (the database stays consistent). `durability: 'full'` (synchronous = FULL) syncs the
 *   WAL on every commit: durable across power loss, at several times the write latency.
 * - Schema migrations: `schema_migrations` records the applied versions; pending ones run in order,
 *   each inside an IMMEDIATE transaction, so two processes opening a new file apply them once.
 */
import Database from 'better-sqlite3';
import { preparePrivateDatabaseSync, tightenSqliteFilesSync } from '../util/private-files.ts';
import { decodeKeyBytes, encodeKeyBytes, toPrefixUpperBound } from './key-bytes.ts';
import {
  assertCollection,
  assertKey,
  type BatchPut,
  ConflictError,
  type ListOptions,
  type ListPage,
  type PutOptions,
  resolveListLimit,
  type StateStore,
  type StoredItem,
  StoreUnavailableError,
  StoreUsageError,
  toJsonText,
} from './ports.ts';

export const SqliteDurability = { normal: 'normal', full: 'full' } as const;
export type SqliteDurability = (typeof SqliteDurability)[keyof typeof SqliteDurability];

export interface SqliteStoreOptions {
  /** The database file (its directory is created when missing), or `:memory:`. */
  readonly path: string;
  /** How long a write waits for another connection's write lock. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** `normal` (default): safe across process crashes; `full`: also across power loss. */
  readonly durability?: SqliteDurability;
}

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Ordered; append only. A released migration is never edited. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents',
    sql: `
      CREATE TABLE documents (
        collection TEXT NOT NULL,
        key BLOB NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        expires_at INTEGER,
        PRIMARY KEY (collection, key)
      ) WITHOUT ROWID;
      CREATE INDEX documents_expiry ON documents (collection, expires_at) WHERE expires_at IS NOT NULL;
    `,
  },
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

interface DocumentRow {
  readonly key: Buffer;
  readonly version: number;
  readonly body: string;
}

function applyMigrations(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const appliedVersion = db.prepare<[], { v: number | null }>(
    'SELECT max(version) AS v FROM schema_migrations',
  );
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const migrate = db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const current = appliedVersion.get()?.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new StoreUsageError(
        `database schema version ${current} is newer than this program (${MIGRATIONS.length}): upgrade crosswatch`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  });
  if ((appliedVersion.get()?.v ?? 0) !== MIGRATIONS.length) migrate.immediate();
}

function openDatabase(options: SqliteStoreOptions): Database.Database {
  const onDisk = options.path !== ':memory:';
  // Only this user may read the state: the file 0600 (its -wal and -shm inherit it), a new directory 0700.
  if (onDisk) preparePrivateDatabaseSync(options.path);
  // `timeout` is SQLite's busy_timeout: how long a statement waits for another connection's lock.
  const db = new Database(options.path, { timeout: Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000)) });
  try {
    db.pragma('journal_mode = WAL');
    if (onDisk) tightenSqliteFilesSync(options.path);
    db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    applyMigrations(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** SQLite failures other than usage errors (busy past the timeout, I/O, full disk, corruption). */
function toStoreError(error: unknown, action: string): Error {
  if (error instanceof StoreUsageError || error instanceof ConflictError) return error;
  if (error instanceof TypeError && /not open/i.test(error.message)) {
    return new StoreUsageError('the SQLite store is closed', { cause: error });
  }
  const code = (error as { code?: unknown }).code;
  return new StoreUnavailableError(`SQLite ${action} failed${typeof code === 'string' ? ` (${code})` : ''}`, {
    cause: error,
  });
}

function parseVersion(version: string): number | undefined {
  return /^[1-9][0-9]{0,15}$/.test(version) ? Number(version) : undefined;
}

/** Every statement the store runs, prepared once per connection. */
function prepareStatements(db: Database.Database) {
  // list: the lower bound is the prefix (inclusive) or the cursor (exclusive), whichever is later.
  const listStatements = new Map<string, Database.Statement<unknown[], DocumentRow>>();
  return {
    selectOne: db.prepare<[string, Buffer], { version: number; body: string }>(
      'SELECT version, body FROM documents WHERE collection = ? AND key = ?',
    ),
    insertNew: db.prepare<[string, Buffer, string, number | null]>(
      'INSERT INTO documents (collection, key, version, body, expires_at) VALUES (?, ?, 1, ?, ?) ON CONFLICT DO NOTHING',
    ),
    updateIfVersion: db.prepare<[string, number | null, string, Buffer, number]>(
      'UPDATE documents SET version = version + 1, body = ?, expires_at = ? WHERE collection = ? AND key = ? AND version = ?',
    ),
    upsert: db.prepare<[string, Buffer, string, number | null], { version: number }>(
      `INSERT INTO documents (collection, key, version, body, expires_at) VALUES (?, ?, 1, ?, ?)
     ON CONFLICT (collection, key) DO UPDATE SET version = version + 1, body = excluded.body, expires_at = excluded.expires_at
     RETURNING version`,
    ),
    deleteAny: db.prepare<[string, Buffer]>('DELETE FROM documents WHERE collection = ? AND key = ?'),
    deleteIfVersion: db.prepare<[string, Buffer, number]>(
      'DELETE FROM documents WHERE collection = ? AND key = ? AND version = ?',
    ),
    deleteExpired: db.prepare<[string, number]>(
      'DELETE FROM documents WHERE collection = ? AND expires_at IS NOT NULL AND expires_at < ?',
    ),
    listStatement(lowerInclusive: boolean, upperBound: boolean) {
      const id = `${lowerInclusive}:${upperBound}`;
      let statement = listStatements.get(id);
      if (!statement) {
        statement = db.prepare<unknown[], DocumentRow>(
          `SELECT key, version, body FROM documents WHERE collection = ? AND key ${lowerInclusive ? '>=' : '>'} ?
         ${upperBound ? 'AND key < ?' : ''} ORDER BY key LIMIT ?`,
        );
        listStatements.set(id, statement);
      }
      return statement;
    },
  };
}

type SqliteStatements = ReturnType<typeof prepareStatements>;

/**
 * One write as ONE statement: create-only, compare-and-swap on the version, or an upsert; a lost
 * condition is a ConflictError. Returns the new version.
 */
function writeDocument(
  statements: SqliteStatements,
  collection: string,
  key: string,
  keyBytes: Buffer,
  body: string,
  expiresAt: number | null,
  expected: string | null | undefined,
): number {
  if (expected === null) {
    if (statements.insertNew.run(collection, keyBytes, body, expiresAt).changes === 0) {
      throw new ConflictError(collection, key);
    }
    return 1;
  }
  if (typeof expected === 'string') {
    const version = parseVersion(expected);
    if (
      version === undefined ||
      statements.updateIfVersion.run(body, expiresAt, collection, keyBytes, version).changes === 0
    ) {
      throw new ConflictError(collection, key);
    }
    return version + 1;
  }
  const row = statements.upsert.get(collection, keyBytes, body, expiresAt);
  if (!row) throw new StoreUnavailableError('SQLite upsert returned no row');
  return row.version;
}

/** Deletes one document, unconditionally or only at `expected` (a lost condition is a ConflictError). */
function deleteDocument(
  statements: SqliteStatements,
  collection: string,
  key: string,
  keyBytes: Buffer,
  expected: string | undefined,
): boolean {
  if (expected === undefined) return statements.deleteAny.run(collection, keyBytes).changes > 0;
  const version = parseVersion(expected);
  if (version === undefined || statements.deleteIfVersion.run(collection, keyBytes, version).changes === 0) {
    throw new ConflictError(collection, key);
  }
  return true;
}

/** One list call: the page size, and the statement's parameters (lower bound, upper bound, limit + 1). */
interface ListQuery {
  readonly limit: number;
  readonly useCursor: boolean;
  readonly upperBound: boolean;
  readonly params: unknown[];
}

function prepareListQuery(collection: string, options: ListOptions): ListQuery {
  const limit = resolveListLimit(options.limit);
  const prefix = encodeKeyBytes(options.prefix ?? '');
  const upper = toPrefixUpperBound(prefix);
  const after = options.cursor === undefined ? undefined : encodeKeyBytes(options.cursor);
  const useCursor = after !== undefined && Buffer.compare(after, prefix) >= 0;
  const params: unknown[] = [collection, useCursor ? after : prefix];
  if (upper) params.push(upper);
  params.push(limit + 1);
  return { limit, useCursor, upperBound: upper !== undefined, params };
}

function listDocuments<T>(statements: SqliteStatements, query: ListQuery): ListPage<T> {
  const { limit } = query;
  const rows = statements.listStatement(!query.useCursor, query.upperBound).all(...query.params);
  const items = rows.slice(0, limit).map(
    (row): StoredItem<T> => ({
      key: decodeKeyBytes(row.key),
      version: String(row.version),
      value: JSON.parse(row.body) as T,
    }),
  );
  const last = items[items.length - 1];
  return rows.length > limit && last ? { items, cursor: last.key } : { items };
}

export function createSqliteStore(options: SqliteStoreOptions): StateStore {
  let db: Database.Database;
  try {
    db = openDatabase(options);
  } catch (error) {
    throw toStoreError(error, 'open');
  }
  const statements = prepareStatements(db);
  // One transaction for a whole batch: one commit (and, with durability full, one fsync) for all.
  const upsertAll = db.transaction((collection: string, rows: readonly [Buffer, string, number | null][]) => {
    for (const [keyBytes, body, expiresAt] of rows)
      statements.upsert.get(collection, keyBytes, body, expiresAt);
  });

  return {
    kind: 'sqlite',
    async get<T>(collection: string, key: string): Promise<StoredItem<T> | undefined> {
      assertCollection(collection);
      assertKey(key);
      try {
        const row = statements.selectOne.get(collection, encodeKeyBytes(key));
        return row ? { key, version: String(row.version), value: JSON.parse(row.body) as T } : undefined;
      } catch (error) {
        throw toStoreError(error, 'read');
      }
    },

    async getMany<T>(collection: string, keys: readonly string[]) {
      assertCollection(collection);
      for (const key of keys) assertKey(key);
      const found = new Map<string, StoredItem<T>>();
      try {
        // In-process reads: a prepared point query per key costs less than building an IN list.
        for (const key of new Set(keys)) {
          const row = statements.selectOne.get(collection, encodeKeyBytes(key));
          if (row) found.set(key, { key, version: String(row.version), value: JSON.parse(row.body) as T });
        }
      } catch (error) {
        throw toStoreError(error, 'read');
      }
      return found;
    },

    async putMany<T>(collection: string, items: readonly BatchPut<T>[]) {
      assertCollection(collection);
      const rows = items.map((item): [Buffer, string, number | null] => {
        assertKey(item.key);
        return [
          encodeKeyBytes(item.key),
          toJsonText(collection, item.key, item.value),
          item.expiresAt ?? null,
        ];
      });
      if (rows.length === 0) return;
      try {
        upsertAll(collection, rows);
      } catch (error) {
        throw toStoreError(error, 'write');
      }
    },

    async put<T>(collection: string, key: string, value: T, putOptions: PutOptions = {}) {
      assertCollection(collection);
      assertKey(key);
      const body = toJsonText(collection, key, value);
      const keyBytes = encodeKeyBytes(key);
      const expiresAt = putOptions.expiresAt ?? null;
      const expected = putOptions.expectedVersion;
      try {
        const version = writeDocument(statements, collection, key, keyBytes, body, expiresAt, expected);
        return { key, version: String(version), value: JSON.parse(body) as T };
      } catch (error) {
        throw toStoreError(error, 'write');
      }
    },

    async delete(collection: string, key: string, deleteOptions: { readonly expectedVersion?: string } = {}) {
      assertCollection(collection);
      assertKey(key);
      const keyBytes = encodeKeyBytes(key);
      try {
        return deleteDocument(statements, collection, key, keyBytes, deleteOptions.expectedVersion);
      } catch (error) {
        throw toStoreError(error, 'delete');
      }
    },

    async list<T>(collection: string, listOptions: ListOptions = {}): Promise<ListPage<T>> {
      assertCollection(collection);
      const query = prepareListQuery(collection, listOptions);
      try {
        return listDocuments<T>(statements, query);
      } catch (error) {
        throw toStoreError(error, 'list');
      }
    },

    async purgeExpired(collection: string, now: number) {
      assertCollection(collection);
      try {
        return statements.deleteExpired.run(collection, now).changes;
      } catch (error) {
        throw toStoreError(error, 'purge');
      }
    },

    async close() {
      if (!db.open) return;
      try {
        db.pragma('optimize');
      } catch {
        // Best effort: another process may hold the write lock; closing matters more.
      }
      db.close();
    },
  };
}

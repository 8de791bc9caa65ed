/**
 * The evidence archive in one SQLite file (better-sqlite3): the default for `npm start`, the CLI and
 * self-hosting (`<data dir>/evidence.db`).
 *
 * - One table `evidence (content_hash, bytes, content_type, kind, received_at, size)` keyed by the
 *   32 raw bytes of the sha256; `received_at` is epoch milliseconds (indexed, for retention).
 * - A put is `INSERT OR IGNORE`, then, when the row existed, the first record read back: storing the
 *   same bytes again (from any connection or process) keeps the first record, as every archive does.
 * - `putMany` writes a whole batch in ONE transaction: one commit and one fsync for all of it, where
 *   the directory archive needs several file-system operations and fsyncs per item. Duplicates
 *   within the batch, and of rows already stored, return the first record.
 * - WAL with `synchronous = FULL`: an acknowledged put survives a power loss; readers never block
 *   the writer, and another process's writer is waited for up to 5 s (busy_timeout).
 * - `get` checks the bytes against their hash (a mismatch is StoreUnavailableError, as on disk).
 * - The file is 0600 (its -wal and -shm too) and a directory created for it 0700, whatever the umask.
 *
 * Statements run synchronously on the calling thread: a batch of a few hundred inputs costs its
 * inserts and one fsync, a few milliseconds.
 */
import Database from 'better-sqlite3';
import { preparePrivateDatabaseSync, tightenSqliteFilesSync } from '../util/private-files.ts';
import { assertEvidenceMeta, computeContentHash, parseContentHash } from './evidence-address.ts';
import {
  type EvidenceArchive,
  type EvidenceRecord,
  StoreUnavailableError,
  StoreUsageError,
} from './ports.ts';

export interface SqliteEvidenceArchiveOptions {
  /** The database file (its directory is created when missing), e.g. `<data dir>/evidence.db`. */
  readonly path: string;
  readonly now?: () => Date;
}

export interface SqliteEvidenceArchive extends EvidenceArchive {
  /** Closes the database (idempotent); later calls fail with StoreUsageError. */
  close(): Promise<void>;
}

/** A new file only: a ~3 KB input shares a page with its neighbours, so a batch writes fewer WAL frames. */
const PAGE_SIZE = 8192;
const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE evidence (
    content_hash BLOB PRIMARY KEY,
    bytes BLOB NOT NULL,
    content_type TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    size INTEGER NOT NULL
  );
  CREATE INDEX evidence_received_at ON evidence (received_at);
`;

interface RecordRow {
  readonly content_type: string;
  readonly kind: string;
  readonly received_at: number;
  readonly size: number;
}

interface EvidenceRow extends RecordRow {
  readonly bytes: Buffer;
}

/** One put of a batch, hashed and described before the transaction. */
interface PreparedPut {
  readonly contentHash: string;
  readonly key: Buffer;
  readonly bytes: Uint8Array;
  readonly contentType: string;
  readonly kind: string;
}

function toRecord(contentHash: string, row: RecordRow): EvidenceRecord {
  return {
    contentHash,
    bytes: row.size,
    contentType: row.content_type,
    receivedAt: new Date(row.received_at).toISOString(),
    kind: row.kind,
  };
}

function toKey(contentHash: string): Buffer {
  return Buffer.from(parseContentHash(contentHash), 'hex');
}

/** Creates the table in a new file (once, under the write lock); refuses a newer schema. */
function applySchema(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  if (version() === SCHEMA_VERSION) return;
  db.transaction(() => {
    const current = version();
    if (current > SCHEMA_VERSION) {
      throw new StoreUsageError(`schema version ${current} is newer than this program: upgrade crosswatch`);
    }
    if (current === 0) {
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }).immediate();
}

function openDatabase(path: string): Database.Database {
  // Only this user may read the evidence: the file 0600 (its -wal and -shm inherit it), a new directory 0700.
  preparePrivateDatabaseSync(path);
  const db = new Database(path, { timeout: 5000 });
  try {
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    tightenSqliteFilesSync(path);
    // Each commit syncs the WAL: one fsync per transaction, so per put or per whole batch.
    db.pragma('synchronous = FULL');
    applySchema(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function describeCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}

export function createSqliteEvidenceArchive(options: SqliteEvidenceArchiveOptions): SqliteEvidenceArchive {
  const { path } = options;
  const now = options.now ?? (() => new Date());
  const toStoreError = (action: string, error: unknown): Error => {
    if (error instanceof StoreUnavailableError) return error;
    if (error instanceof TypeError && /not open/i.test(error.message)) {
      return new StoreUsageError(`evidence database ${path} is closed`, { cause: error });
    }
    const detail = error instanceof StoreUsageError ? `: ${error.message}` : describeCode(error);
    return new StoreUnavailableError(`evidence database ${path}: ${action} failed${detail}`, {
      cause: error,
    });
  };

  let db: Database.Database;
  try {
    db = openDatabase(path);
  } catch (error) {
    throw toStoreError('open', error);
  }
  const insert = db.prepare<[Buffer, Uint8Array, string, string, number, number]>(
    'INSERT OR IGNORE INTO evidence (content_hash, bytes, content_type, kind, received_at, size) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectRecord = db.prepare<[Buffer], RecordRow>(
    'SELECT content_type, kind, received_at, size FROM evidence WHERE content_hash = ?',
  );
  const selectEvidence = db.prepare<[Buffer], EvidenceRow>(
    'SELECT bytes, content_type, kind, received_at, size FROM evidence WHERE content_hash = ?',
  );
  const deleteBefore = db.prepare<[number]>('DELETE FROM evidence WHERE received_at < ?');

  /** The puts in one transaction (one commit, one fsync); each one's record, the first stored winning. */
  const storeAll = db.transaction((puts: readonly PreparedPut[], receivedAt: number): EvidenceRecord[] =>
    puts.map((put) => {
      const { key, bytes, contentType, kind, contentHash } = put;
      if (insert.run(key, bytes, contentType, kind, receivedAt, bytes.byteLength).changes === 1) {
        return {
          contentHash,
          bytes: bytes.byteLength,
          contentType,
          receivedAt: new Date(receivedAt).toISOString(),
          kind,
        };
      }
      const first = selectRecord.get(key);
      if (!first)
        throw new StoreUnavailableError(`evidence database ${path}: ${contentHash} vanished during put`);
      return toRecord(contentHash, first);
    }),
  );

  const prepare = (item: {
    readonly bytes: Uint8Array;
    readonly contentType: string;
    readonly kind: string;
  }) => {
    assertEvidenceMeta(item);
    const contentHash = computeContentHash(item.bytes);
    return { ...item, contentHash, key: toKey(contentHash) };
  };

  const putAll = (puts: readonly PreparedPut[]): EvidenceRecord[] => {
    if (puts.length === 0) return [];
    try {
      // IMMEDIATE: the write lock first (waiting on another process's writer), then the reads.
      return storeAll.immediate(puts, now().getTime());
    } catch (error) {
      throw toStoreError('put', error);
    }
  };

  return {
    kind: 'sqlite',

    async put(bytes, meta) {
      const [record] = putAll([prepare({ bytes, contentType: meta.contentType, kind: meta.kind })]);
      if (!record) throw new StoreUnavailableError(`evidence database ${path}: put returned no record`);
      return record;
    },

    async putMany(items) {
      return putAll(items.map(prepare));
    },

    async get(contentHash) {
      const key = toKey(contentHash);
      let row: EvidenceRow | undefined;
      try {
        row = selectEvidence.get(key);
      } catch (error) {
        throw toStoreError('get', error);
      }
      if (!row) return undefined;
      if (computeContentHash(row.bytes) !== contentHash) {
        throw new StoreUnavailableError(`evidence ${contentHash} is corrupted in ${path}`);
      }
      const { bytes } = row;
      return {
        record: toRecord(contentHash, row),
        bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      };
    },

    async purgeBefore(cutoff) {
      try {
        return deleteBefore.run(cutoff.getTime()).changes;
      } catch (error) {
        throw toStoreError('purge', error);
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

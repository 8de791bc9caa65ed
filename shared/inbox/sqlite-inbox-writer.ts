/**
 * The SQLite inbox's schema and its batch commit, shared by the calling-thread committer and the
 * worker-thread writer. The writer's source is plain JavaScript evaluated in a worker
 * (`new Worker(WRITER_SOURCE, { eval: true })`): no separate bundle entry, no TypeScript loader in
 * the worker, the same code under tsx, vitest and the esbuild bundle. It mirrors
 * `prepareInboxCommit` statement for statement (a test runs both against one file).
 *
 * Rows are appended by seq only: `id` (the body's sha256) has no index, because a random key dirties
 * one B-tree page per insert and so multiplies the WAL frames each group commit writes and fsyncs.
 * A body posted twice is two pending rows; a settle names the rows by seq (the caller keeps the
 * id → seqs map, pending-seqs.ts), and a commit reports the seq of each row it inserted. A batch
 * carries its rows as one flat array of strings rather than an object per row: posting it to the
 * worker (a structured clone on the busy HTTP thread) costs about half as much.
 *
 * Files from before (schema 1: `id TEXT NOT NULL UNIQUE`) are rebuilt in place when opened, in one
 * transaction (`migrateInboxSchema`); the seqs, and with them the arrival order, are kept.
 */
import type Database from 'better-sqlite3';

/**
 * WAL pages after which a commit checkpoints (SQLite's default is 1,000). The checkpoint runs in the
 * committing connection and holds up the next commit: 1,000 pages (8 MB) stalled ingest for ~15 ms a
 * few times a second, long enough for every connection to be waiting and the HTTP thread to idle;
 * 250 pages makes the same work into short stalls the pipeline absorbs (measured: higher rate, p99
 * 17 → 12 ms), and the WAL stays small and is overwritten in place.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 250;

/** Values per row in `InboxBatch.rows`. */
export const ROW_WIDTH = 6;

/** Settles these rows (each only if still pending). */
export interface InboxSettle {
  readonly seqs: readonly number[];
  readonly state: string;
  readonly at: string;
  readonly error: string | null;
}

/** What one transaction writes. Its settles never name its own rows (their seqs are not known yet). */
export interface InboxBatch {
  /**
   * ROW_WIDTH values per row: id, receivedAt, body, bodyEncoding, source, contentType. The body is
   * UTF-8 text, or (bodyEncoding `base64`, else '') the base64 of bytes stored as a BLOB.
   */
  readonly rows: readonly string[];
  readonly settles: readonly InboxSettle[];
}

export type WriterMessage =
  | { readonly type: 'commit'; readonly batch: InboxBatch }
  | { readonly type: 'close' };

export type WriterReply =
  /** `seqs`: the seq of each inserted row, in the batch's order. */
  | { readonly type: 'committed'; readonly seqs: readonly number[] }
  | { readonly type: 'failed'; readonly message: string };

const TABLE_COLUMNS = `(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    content_type TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    settled_at TEXT,
    error TEXT
  )`;

const PENDING_INDEX = "CREATE INDEX IF NOT EXISTS inbox_pending ON inbox (seq) WHERE state = 'pending'";

export const INBOX_SCHEMA = `CREATE TABLE IF NOT EXISTS inbox ${TABLE_COLUMNS};
  ${PENDING_INDEX};`;

/** Schema 1 to 2: the same rows (same seqs) in a table without the UNIQUE index on id. */
const MIGRATE_FROM_UNIQUE_ID = `CREATE TABLE inbox_v2 ${TABLE_COLUMNS};
  INSERT INTO inbox_v2 (seq, id, received_at, body, source, content_type, state, settled_at, error)
    SELECT seq, id, received_at, body, source, content_type, state, settled_at, error FROM inbox ORDER BY seq;
  DROP TABLE inbox;
  ALTER TABLE inbox_v2 RENAME TO inbox;
  ${PENDING_INDEX};`;

const INSERT_SQL = 'INSERT INTO inbox (id, received_at, body, source, content_type) VALUES (?, ?, ?, ?, ?)';
const SETTLE_SQL =
  "UPDATE inbox SET state = ?, settled_at = ?, error = ? WHERE seq = ? AND state = 'pending'";

/**
 * The `body` column's value: the text, or the raw bytes as a BLOB when they are not valid UTF-8
 * (SQLite keeps a BLOB as is in a TEXT column, so the bytes come back exactly as received).
 */
function toBodyValue(body: string, bodyEncoding: string): string | Buffer {
  return bodyEncoding === 'base64' ? Buffer.from(body, 'base64') : body;
}

/** True when the file still has schema 1 (a UNIQUE index on id). */
function hasUniqueIdIndex(db: Database.Database): boolean {
  const indexes = db.prepare<[], { origin: string }>("SELECT origin FROM pragma_index_list('inbox')").all();
  return indexes.some((index) => index.origin === 'u');
}

/** Rebuilds a schema-1 file without the UNIQUE index on id; false when there was nothing to do. */
export function migrateInboxSchema(db: Database.Database): boolean {
  // Checked first without the write lock: opening a current file takes no lock at all.
  if (!hasUniqueIdIndex(db)) return false;
  return db
    .transaction(() => {
      if (!hasUniqueIdIndex(db)) return false;
      db.exec(MIGRATE_FROM_UNIQUE_ID);
      return true;
    })
    .immediate();
}

/** Creates the table on a new file, or brings an older file to the current schema. */
export function applyInboxSchema(db: Database.Database): void {
  db.exec(INBOX_SCHEMA);
  migrateInboxSchema(db);
}

/** The batch commit on a connection of the calling thread; returns the seq of each inserted row. */
export function prepareInboxCommit(db: Database.Database): (batch: InboxBatch) => number[] {
  const insert = db.prepare<[string, string, string | Buffer, string, string]>(INSERT_SQL);
  const settle = db.prepare<[string, string, string | null, number]>(SETTLE_SQL);
  return db.transaction((batch: InboxBatch) => {
    const seqs: number[] = [];
    const rows = batch.rows;
    for (let at = 0; at + ROW_WIDTH <= rows.length; at += ROW_WIDTH) {
      const [id = '', receivedAt = '', body = '', bodyEncoding = '', source = '', contentType = ''] =
        rows.slice(at, at + ROW_WIDTH);
      const inserted = insert.run(id, receivedAt, toBodyValue(body, bodyEncoding), source, contentType);
      seqs.push(Number(inserted.lastInsertRowid));
    }
    for (const item of batch.settles) {
      for (const seq of item.seqs) settle.run(item.state, item.at, item.error, seq);
    }
    return seqs;
  });
}

/** The worker thread's program (CommonJS, evaluated). */
export const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const db = new Database(workerData.path, { timeout: 5000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}');
const insert = db.prepare(${JSON.stringify(INSERT_SQL)});
const settle = db.prepare(${JSON.stringify(SETTLE_SQL)});
const commitAll = db.transaction((batch) => {
  const seqs = [];
  const rows = batch.rows;
  for (let at = 0; at + ${ROW_WIDTH} <= rows.length; at += ${ROW_WIDTH}) {
    const [id, receivedAt, body, bodyEncoding, source, contentType] = rows.slice(at, at + ${ROW_WIDTH});
    const inserted = insert.run(id, receivedAt, bodyEncoding === 'base64' ? Buffer.from(body, 'base64') : body, source, contentType);
    seqs.push(Number(inserted.lastInsertRowid));
  }
  for (const item of batch.settles) {
    for (const seq of item.seqs) settle.run(item.state, item.at, item.error, seq);
  }
  return seqs;
});
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const seqs = commitAll(message.batch);
    parentPort.postMessage({ type: 'committed', seqs });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: String((error && error.code) || (error && error.message) || error) });
  }
});
`;

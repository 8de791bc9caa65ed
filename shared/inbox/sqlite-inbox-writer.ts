/**
 * The SQLite inbox's schema and its batch commit, shared by the calling-thread committer and the
 * worker-thread writer. The writer's source is plain JavaScript evaluated in a worker
 * (`new Worker(WRITER_SOURCE, { eval: true })`): no separate bundle entry, no TypeScript loader in
 * the worker, the same code under tsx, vitest and the esbuild bundle. It mirrors
 * `prepareInboxCommit` statement for statement (a test runs both against one file).
 */
import type Database from 'better-sqlite3';

export type InboxOperation =
  | {
      readonly op: 'put';
      readonly id: string;
      readonly receivedAt: string;
      /** UTF-8 text, or (with `bodyEncoding: 'base64'`) the base64 of bytes stored as a BLOB. */
      readonly body: string;
      readonly bodyEncoding?: 'base64';
      readonly source: string;
      readonly contentType: string;
    }
  | {
      readonly op: 'settle';
      readonly id: string;
      readonly state: string;
      readonly at: string;
      readonly error: string | null;
    };

export type WriterMessage =
  | { readonly type: 'commit'; readonly operations: readonly InboxOperation[] }
  | { readonly type: 'close' };

export type WriterReply =
  | { readonly type: 'committed' }
  | { readonly type: 'failed'; readonly message: string };

export const INBOX_SCHEMA = `CREATE TABLE IF NOT EXISTS inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    content_type TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    settled_at TEXT,
    error TEXT
  );
  CREATE INDEX IF NOT EXISTS inbox_pending ON inbox (seq) WHERE state = 'pending';`;

const INSERT_SQL =
  'INSERT OR IGNORE INTO inbox (id, received_at, body, source, content_type) VALUES (?, ?, ?, ?, ?)';
const SETTLE_SQL = "UPDATE inbox SET state = ?, settled_at = ?, error = ? WHERE id = ? AND state = 'pending'";

/**
 * The `body` column's value: the text, or the raw bytes as a BLOB when they are not valid UTF-8
 * (SQLite keeps a BLOB as is in a TEXT column, so the bytes come back exactly as received).
 */
function toBodyValue(operation: {
  readonly body: string;
  readonly bodyEncoding?: 'base64';
}): string | Buffer {
  return operation.bodyEncoding === 'base64' ? Buffer.from(operation.body, 'base64') : operation.body;
}

export function applyInboxSchema(db: Database.Database): void {
  db.exec(INBOX_SCHEMA);
}

/** The batch commit on a connection of the calling thread. */
export function prepareInboxCommit(db: Database.Database): (operations: readonly InboxOperation[]) => void {
  const insert = db.prepare<[string, string, string | Buffer, string, string]>(INSERT_SQL);
  const settle = db.prepare<[string, string, string | null, string]>(SETTLE_SQL);
  return db.transaction((operations: readonly InboxOperation[]) => {
    for (const operation of operations) {
      if (operation.op === 'put') {
        insert.run(
          operation.id,
          operation.receivedAt,
          toBodyValue(operation),
          operation.source,
          operation.contentType,
        );
      } else settle.run(operation.state, operation.at, operation.error, operation.id);
    }
  });
}

/** The worker thread's program (CommonJS, evaluated). */
export const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
const db = new Database(workerData.path, { timeout: 5000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
const insert = db.prepare(${JSON.stringify(INSERT_SQL)});
const settle = db.prepare(${JSON.stringify(SETTLE_SQL)});
const commitAll = db.transaction((operations) => {
  for (const operation of operations) {
    if (operation.op === 'put') {
      const body = operation.bodyEncoding === 'base64' ? Buffer.from(operation.body, 'base64') : operation.body;
      insert.run(operation.id, operation.receivedAt, body, operation.source, operation.contentType);
    } else settle.run(operation.state, operation.at, operation.error, operation.id);
  }
});
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    commitAll(message.operations);
    parentPort.postMessage({ type: 'committed' });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: String((error && error.code) || (error && error.message) || error) });
  }
});
`;

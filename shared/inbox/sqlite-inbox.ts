/**
 * The local runner's inbox: its own SQLite file (`<data dir>/inbox.db`, WAL) with GROUP COMMIT —
 * every `put` (and every `markProcessed`) arriving while a commit is in flight joins the next
 * transaction; each resolves only after the transaction holding it committed (with durability
 * `full`, after the WAL was fsynced). One commit, and one fsync, covers a whole batch of webhook
 * requests instead of one each.
 *
 * By default the commits run on a worker thread (sqlite-inbox-writer.ts) so that the HTTP thread
 * keeps reading requests while a batch is written and synced (a pipelined group commit); reads
 * (`listPending`, `countPending`) use a connection on the calling thread and see every committed
 * write (WAL). `offThread: false` commits on the calling thread.
 *
 * Its own file keeps ingest writes from contending with the engine's writes for SQLite's single
 * write lock. Rows are appended by seq only, so an insert costs about its own bytes in the WAL: ids
 * (the body's sha256) are not indexed, and a body posted twice is two pending rows (processing is
 * idempotent). Settling by id uses an in-memory id → seqs map of the pending rows (pending-seqs.ts),
 * resolved when the settle's batch goes out; one settle settles every pending row of the id.
 *
 * Two lanes for the drain: `listPending` reads the oldest pending rows, `listNewestPending` the
 * newest (a new alert behind a long backlog is taken in the next pass), both along the partial index
 * of pending seqs; `markProcessedMany` settles a whole processed batch as one operation.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { preparePrivateDatabaseSync, tightenSqliteFilesSync } from '../util/private-files.ts';
import { encodeInboxBody, type InboxEntry, type InboxQueue, InboxUnavailableError } from './inbox.ts';
import { createPendingSeqs, type PendingRowRef, type PendingSeqs } from './pending-seqs.ts';
import {
  applyInboxSchema,
  type InboxBatch,
  type InboxSettle,
  prepareInboxCommit,
  WAL_AUTOCHECKPOINT_PAGES,
  WRITER_SOURCE,
  type WriterMessage,
  type WriterReply,
} from './sqlite-inbox-writer.ts';

const PAGE_SIZE = 8192;

export interface SqliteInboxOptions {
  /** The database file (`:memory:` is not supported: the writer needs a file it can share). */
  readonly path: string;
  /** `full` (default): each commit fsyncs the WAL (survives power loss); `normal`: survives process crashes. */
  readonly durability?: 'normal' | 'full';
  /** At most this many operations per transaction (default 1000). */
  readonly maxBatch?: number;
  /** Commit on a worker thread (default true). */
  readonly offThread?: boolean;
}

export interface SqliteInbox extends InboxQueue {
  /** Transactions committed so far, and the entries they inserted (for the bench and /api/status). */
  readonly stats: { readonly commits: number; readonly entries: number };
  /** Pending entries, newest first (by arrival), at most `limit`: the drain's fast lane. */
  listNewestPending(limit: number): Promise<InboxEntry[]>;
  /** Settles every pending row of each id as processed, in one group-commit operation. */
  markProcessedMany(ids: readonly string[], at: Date): Promise<void>;
  /** Deletes entries settled before `cutoff` (retention); pending entries are never deleted. */
  purgeSettled(cutoff: Date): Promise<number>;
  close(): Promise<void>;
}

/** What callers queue: a put, or a settle naming ids (turned into seqs when its batch goes out). */
type InboxRequest =
  | { readonly op: 'put'; readonly entry: InboxEntry }
  | {
      readonly op: 'settle';
      readonly ids: readonly string[];
      readonly state: string;
      readonly at: string;
      readonly error: string | null;
    };

interface Pending {
  readonly request: InboxRequest;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Row {
  id: string;
  received_at: string;
  /** Text, or a BLOB holding bytes that are not valid UTF-8. */
  body: string | Buffer;
  source: string;
  content_type: string;
}

/**
 * Commits one batch in one transaction; resolves with the seq of each inserted row (in the batch's
 * order), rejects when it could not.
 */
interface BatchCommitter {
  commit(batch: InboxBatch): Promise<readonly number[]>;
  close(): Promise<void>;
}

function createInThreadCommitter(db: Database.Database): BatchCommitter {
  const commitAll = prepareInboxCommit(db);
  return {
    async commit(batch) {
      return commitAll(batch);
    },
    async close() {},
  };
}

function createWorkerCommitter(path: string, synchronous: string): BatchCommitter {
  const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { path, synchronous, sqliteModule } });
  worker.unref();
  let waiting: { resolve: (seqs: readonly number[]) => void; reject: (error: Error) => void } | undefined;
  let broken: Error | undefined;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      exited = true;
      broken ??= new InboxUnavailableError('the inbox writer stopped');
      waiting?.reject(broken);
      waiting = undefined;
      resolve();
    });
  });
  worker.on('error', (error) => {
    broken = new InboxUnavailableError('the inbox writer failed', { cause: error });
  });
  worker.on('message', (reply: WriterReply) => {
    const current = waiting;
    waiting = undefined;
    // Idle again: the writer must not keep the process alive.
    worker.unref();
    if (reply.type === 'committed') current?.resolve(reply.seqs);
    else current?.reject(new InboxUnavailableError(`the inbox could not commit (${reply.message})`));
  });
  return {
    commit(batch) {
      if (broken) return Promise.reject(broken);
      return new Promise<readonly number[]>((resolve, reject) => {
        waiting = { resolve, reject };
        // While a commit is in flight the writer keeps the process alive, so the put settles.
        worker.ref();
        worker.postMessage({ type: 'commit', batch } satisfies WriterMessage);
      });
    },
    async close() {
      if (!exited) {
        // Keep the process alive until the writer has closed its database and exited.
        worker.ref();
        worker.postMessage({ type: 'close' } satisfies WriterMessage);
      }
      await exitedPromise;
    },
  };
}

/** The inbox database on the calling thread, WAL, with its schema; throws InboxUnavailableError. */
function openInboxDatabase(path: string, synchronous: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    // Only this user may read the inputs: the file 0600 (its -wal and -shm inherit it), a new directory 0700.
    preparePrivateDatabaseSync(path);
    db = new Database(path, { timeout: 5000 });
    // A new file only (an existing one keeps its page size): a ~3 KB alert then shares a page with
    // its neighbours instead of filling one alone, so a batch writes (and fsyncs) fewer WAL frames.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    tightenSqliteFilesSync(path);
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    applyInboxSchema(db);
    return db;
  } catch (error) {
    db?.close();
    throw new InboxUnavailableError(`the inbox database ${path} cannot be opened`, { cause: error });
  }
}

/** The group commit: operations queued while a commit is in flight go out together in the next one. */
interface GroupCommit {
  readonly stats: { commits: number; entries: number };
  /** Queues one request; resolves once the transaction holding it committed. */
  enqueue(request: InboxRequest): Promise<void>;
  /** Refuses new requests from now on; false when it was already stopped. */
  stop(): boolean;
  /** Resolves once every queued request has been committed (or has failed). */
  drain(): Promise<void>;
}

/**
 * The batch to commit: each put's row, and each settle's ids turned into the seqs of their pending
 * rows (removed from `pending`, and listed in `taken` so a failed commit can put them back).
 */
function toBatch(items: readonly Pending[], pending: PendingSeqs, taken: PendingRowRef[]): InboxBatch {
  const rows: string[] = [];
  const settles: InboxSettle[] = [];
  for (const { request } of items) {
    if (request.op === 'put') {
      const entry = request.entry;
      rows.push(
        entry.id,
        entry.receivedAt,
        entry.body,
        entry.bodyEncoding ?? '',
        entry.source,
        entry.contentType,
      );
      continue;
    }
    const found = pending.take(request.ids);
    taken.push(...found);
    if (found.length === 0) continue;
    settles.push({
      seqs: found.map((row) => row.seq),
      state: request.state,
      at: request.at,
      error: request.error,
    });
  }
  return { rows, settles };
}

function toInboxUnavailable(error: unknown): InboxUnavailableError {
  return error instanceof InboxUnavailableError
    ? error
    : new InboxUnavailableError('the inbox could not commit', { cause: error });
}

function createGroupCommit(committer: BatchCommitter, pending: PendingSeqs, maxBatch: number): GroupCommit {
  let queue: Pending[] = [];
  let committing = false;
  let scheduled = false;
  let closed = false;
  let idle: (() => void) | undefined;
  const stats = { commits: 0, entries: 0 };

  const fail = (batch: readonly Pending[], taken: readonly PendingRowRef[], error: unknown) => {
    // The settles did not commit: their rows are still pending.
    pending.restore(taken);
    const failure = toInboxUnavailable(error);
    for (const item of batch) item.reject(failure);
    committing = false;
    flush();
  };

  const flush = () => {
    scheduled = false;
    if (committing || queue.length === 0) {
      if (!committing) idle?.();
      return;
    }
    const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
    queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
    committing = true;
    const taken: PendingRowRef[] = [];
    let toCommit: InboxBatch;
    try {
      toCommit = toBatch(batch, pending, taken);
    } catch (error) {
      fail(batch, taken, error);
      return;
    }
    committer.commit(toCommit).then(
      (seqs) => {
        stats.commits++;
        let inserted = 0;
        for (const item of batch) {
          if (item.request.op === 'put') {
            const seq = seqs[inserted++];
            if (seq !== undefined) pending.add(item.request.entry.id, seq);
            stats.entries++;
          }
          item.resolve();
        }
        committing = false;
        // Everything that arrived during this commit goes out in the next one, right away.
        flush();
      },
      (error: unknown) => fail(batch, taken, error),
    );
  };

  return {
    stats,
    enqueue: (request) =>
      new Promise<void>((resolve, reject) => {
        if (closed) {
          reject(new InboxUnavailableError('the inbox is closed'));
          return;
        }
        queue.push({ request, resolve, reject });
        if (!scheduled && !committing) {
          scheduled = true;
          // After the current I/O callbacks: every request parsed in this turn joins the batch.
          setImmediate(flush);
        }
      }),
    stop() {
      if (closed) return false;
      closed = true;
      return true;
    },
    async drain() {
      if (committing || queue.length > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          if (!scheduled) flush();
        });
      }
    },
  };
}

function toInboxEntry(row: Row): InboxEntry {
  return {
    id: row.id,
    receivedAt: row.received_at,
    ...(typeof row.body === 'string' ? { body: row.body } : encodeInboxBody(row.body)),
    source: row.source,
    contentType: row.content_type,
  };
}

export function createSqliteInbox(options: SqliteInboxOptions): SqliteInbox {
  const synchronous = options.durability === 'normal' ? 'NORMAL' : 'FULL';
  const db = openInboxDatabase(options.path, synchronous);
  const selectPendingSince = db.prepare<[number], PendingRowRef>(
    "SELECT id, seq FROM inbox WHERE state = 'pending' AND seq > ? ORDER BY seq",
  );
  let pending: PendingSeqs;
  try {
    pending = createPendingSeqs((seq) => selectPendingSince.all(seq));
  } catch (error) {
    db.close();
    throw new InboxUnavailableError(`the inbox database ${options.path} cannot be read`, { cause: error });
  }
  const committer =
    options.offThread === false
      ? createInThreadCommitter(db)
      : createWorkerCommitter(options.path, synchronous);
  const group = createGroupCommit(committer, pending, options.maxBatch ?? 1000);
  const selectOldest = db.prepare<[number], Row>(
    "SELECT id, received_at, body, source, content_type FROM inbox WHERE state = 'pending' ORDER BY seq LIMIT ?",
  );
  const selectNewest = db.prepare<[number], Row>(
    "SELECT id, received_at, body, source, content_type FROM inbox WHERE state = 'pending' ORDER BY seq DESC LIMIT ?",
  );
  const countPendingStatement = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM inbox WHERE state = 'pending'",
  );
  const deleteSettled = db.prepare<[string]>(
    "DELETE FROM inbox WHERE state <> 'pending' AND settled_at IS NOT NULL AND settled_at < ?",
  );
  const read = <T>(action: () => T): T => {
    try {
      return action();
    } catch (error) {
      throw new InboxUnavailableError('the inbox database failed', { cause: error });
    }
  };

  return {
    stats: group.stats,
    put: (entry: InboxEntry) => group.enqueue({ op: 'put', entry }),
    async putMany(entries) {
      await Promise.all(entries.map((entry) => this.put(entry)));
    },
    async listPending(limit = 100) {
      return read(() => selectOldest.all(limit).map(toInboxEntry));
    },
    async listNewestPending(limit) {
      return read(() => selectNewest.all(limit).map(toInboxEntry));
    },
    markProcessed(id, at, error) {
      // Joins the group commit too: settling many entries costs one transaction.
      return group.enqueue({
        op: 'settle',
        ids: [id],
        state: error === undefined ? 'processed' : 'failed',
        at: at.toISOString(),
        error: error ?? null,
      });
    },
    async markProcessedMany(ids, at) {
      if (ids.length === 0) return;
      await group.enqueue({
        op: 'settle',
        ids: [...ids],
        state: 'processed',
        at: at.toISOString(),
        error: null,
      });
    },
    async countPending() {
      return read(() => countPendingStatement.get()?.n ?? 0);
    },
    async purgeSettled(cutoff) {
      return read(() => deleteSettled.run(cutoff.toISOString()).changes);
    },
    async close() {
      if (!group.stop()) return;
      await group.drain();
      await committer.close();
      db.close();
    },
  };
}

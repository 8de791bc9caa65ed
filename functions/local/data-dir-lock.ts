/**
 * One local runner per data directory. Two runners on one directory would both take the same inbox
 * entries through the pipeline (every decision stored and notified twice), so a runner holds a lock
 * on its data directory from before it opens anything until its graceful shutdown has closed
 * everything.
 *
 * The lock itself is a kernel lock, SQLite's EXCLUSIVE lock on `<data dir>/runner-lock.db` (an
 * empty database, kept), so it dies with its process: a runner killed with SIGKILL, or a machine
 * that restarted, leaves no lock behind, and no pid test is needed — a recorded pid may have been
 * reused by an unrelated process (after a reboot, or the runner restarted as pid 1 of a container).
 * The holder then records who it is in `<data dir>/runner.lock` (JSON: pid, start time; 0600,
 * written to a temp file and renamed into place), which a refused runner reads to name it, and which
 * graceful shutdown removes. A `runner.lock` left by a runner that died is simply overwritten by the
 * next holder (which says whose it was). Neither file should be deleted by hand.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PRIVATE_FILE_MODE, preparePrivateFileSync } from '../../shared/util/private-files.ts';

/** Who holds the data directory: read this to find the runner. */
export const LOCK_FILE = 'runner.lock';
/** The database whose SQLite lock is the data directory's lock. */
export const LOCK_DATABASE = 'runner-lock.db';

export interface LockHolder {
  readonly pid: number;
  readonly startedAt: string;
  readonly hostname: string;
}

/** Another runner holds the data directory. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
    options?: { cause?: unknown },
  ) {
    const who = holder
      ? `pid ${holder.pid}${holder.hostname === hostname() ? '' : ` on ${holder.hostname}`}, since ${holder.startedAt}`
      : `pid unknown: ${LOCK_FILE} is missing`;
    super(`data directory ${dataDir} is in use by another runner (${who})`, options);
  }
}

export interface DataDirLock {
  /** `<data dir>/runner.lock`. */
  readonly path: string;
  readonly holder: LockHolder;
  /** What an earlier runner that did not shut down gracefully left in runner.lock. */
  readonly previous: LockHolder | undefined;
  /** Removes runner.lock, then lets go of the lock (idempotent). */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  readonly pid?: number;
  readonly now?: () => Date;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.startedAt !== 'string') return undefined;
    return { pid: value.pid, startedAt: value.startedAt, hostname: String(value.hostname ?? '') };
  } catch {
    return undefined;
  }
}

/** Written whole or not at all: a refused runner never reads half a file. */
async function writeHolder(path: string, holder: LockHolder): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(holder)}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    await chmod(temp, PRIVATE_FILE_MODE);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** The kernel lock, or undefined when another connection (any process, this one too) holds it. */
function lockDatabase(path: string): Database.Database | undefined {
  preparePrivateFileSync(path);
  const db = new Database(path, { timeout: 0 });
  try {
    // No -journal file next to it: nothing is ever written, so the database stays empty.
    db.pragma('journal_mode = MEMORY');
    // Held until ROLLBACK or close (or the process's end, however it ends).
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (error) {
    db.close();
    if (isBusy(error)) return undefined;
    throw error;
  }
}

/**
 * Takes the data directory (which must exist) or throws DataDirInUseError naming the holder's pid.
 */
export async function acquireDataDirLock(
  dataDir: string,
  options: AcquireLockOptions = {},
): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  const db = lockDatabase(join(dataDir, LOCK_DATABASE));
  if (db === undefined) {
    let holder = await readHolder(path);
    // The holder writes runner.lock just after it took the lock: give it a moment to appear.
    for (let attempt = 0; attempt < 10 && holder === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      holder = await readHolder(path);
    }
    throw new DataDirInUseError(dataDir, holder);
  }
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    startedAt: (options.now?.() ?? new Date()).toISOString(),
    hostname: hostname(),
  };
  let previous: LockHolder | undefined;
  try {
    previous = await readHolder(path);
    await writeHolder(path, holder);
  } catch (error) {
    db.close();
    throw error;
  }
  let released: Promise<void> | undefined;
  return {
    path,
    holder,
    previous,
    release() {
      released ??= (async () => {
        try {
          // While the lock is held, runner.lock is ours: no other runner writes it.
          await unlink(path).catch(() => {});
        } finally {
          db.close();
        }
      })();
      return released;
    },
  };
}

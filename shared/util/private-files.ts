/**
 * Files only this user may read: the data directory (0700), the SQLite databases with their -wal and
 * -shm files, the evidence and the generated token (0600). Modes are set explicitly (mkdir or open
 * with the mode, then chmod), so the process umask neither loosens nor narrows them. Directories that
 * already existed are left alone here, except by `securePrivateDirectory` (the data directory itself):
 * a database path may sit in a shared directory such as /var/lib.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The files SQLite keeps next to a database in WAL (and rollback) mode. */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

function isErrno(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

/** Every directory from `first` (the first one mkdir created) down to `path`. */
function listCreated(first: string, path: string): string[] {
  const target = resolve(path);
  const parts = relative(resolve(first), target)
    .split(sep)
    .filter((part) => part !== '');
  const created = [resolve(first)];
  let current = resolve(first);
  for (const part of parts) {
    current = resolve(current, part);
    created.push(current);
  }
  return created;
}

/** mkdir -p with 0700 for every directory it creates; existing ones keep their mode. */
export function createPrivateDirectorySync(path: string): void {
  const first = mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first !== undefined) for (const dir of listCreated(first, path)) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** mkdir -p with 0700 for every directory it creates; existing ones keep their mode. */
export async function createPrivateDirectory(path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first !== undefined) for (const dir of listCreated(first, path)) await chmod(dir, PRIVATE_DIR_MODE);
}

export interface SecuredDirectory {
  readonly created: boolean;
  /** The mode it had when it let others in (then tightened to 0700); null when it did not. */
  readonly loosenedMode: number | null;
}

/**
 * The data directory: created 0700, or, when it exists with group or other access, tightened to
 * 0700 (the caller says so in its log). Throws when it cannot be created or is not a directory.
 */
export async function securePrivateDirectory(path: string): Promise<SecuredDirectory> {
  const before = await stat(path).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  });
  if (before === undefined) {
    await createPrivateDirectory(path);
    return { created: true, loosenedMode: null };
  }
  if (!before.isDirectory())
    throw Object.assign(new Error(`${path} is not a directory`), { code: 'ENOTDIR' });
  const mode = before.mode & 0o777;
  if (mode === PRIVATE_DIR_MODE) return { created: false, loosenedMode: null };
  await chmod(path, PRIVATE_DIR_MODE);
  return { created: false, loosenedMode: (mode & 0o077) === 0 ? null : mode };
}

/** Creates the file 0600 when missing, or sets an existing one to 0600 (not when it is not ours). */
export function preparePrivateFileSync(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  tightenFileSync(path);
}

function tightenFileSync(path: string): void {
  try {
    if ((statSync(path).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    // Gone already (a -wal removed at close), or another user's file: nothing to tighten.
    if (!isErrno(error, 'ENOENT') && !isErrno(error, 'EPERM')) throw error;
  }
}

/**
 * Before opening a SQLite database: its directory (0700 when created) and the file itself (0600).
 * SQLite creates the -wal, -shm and -journal files with the database file's mode whatever the
 * umask; `tightenSqliteFilesSync` after opening fixes ones left looser by an older version.
 */
export function preparePrivateDatabaseSync(path: string): void {
  createPrivateDirectorySync(dirname(path));
  preparePrivateFileSync(path);
}

/** The database's existing -wal, -shm and -journal files to 0600. */
export function tightenSqliteFilesSync(path: string): void {
  for (const suffix of SQLITE_SIDE_FILES) tightenFileSync(`${path}${suffix}`);
}

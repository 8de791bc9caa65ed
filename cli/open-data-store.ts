/**
 * The CLI's local data directory (`--data DIR`, default `./.crosswatch`): the embedded SQLite state
 * store in `DIR/crosswatch.db` and the SQLite evidence archive in `DIR/evidence.db` (the local
 * runner's defaults too, so `serve` and the CLI share both files). Every command that reads or
 * writes engine or notify state opens it through here, so they all agree on the layout.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createSqliteEvidenceArchive } from '../shared/store/evidence-sqlite.ts';
import type { EvidenceArchive, StateStore } from '../shared/store/ports.ts';
import { createSqliteStore } from '../shared/store/sqlite-store.ts';

export const DEFAULT_DATA_DIR = './.crosswatch';
export const DATABASE_FILE = 'crosswatch.db';
export const EVIDENCE_FILE = 'evidence.db';

export interface DataStore {
  /** The data directory as given. */
  readonly dir: string;
  /** `DIR/crosswatch.db`. */
  readonly databasePath: string;
  /** `DIR/evidence.db`. */
  readonly evidencePath: string;
  readonly store: StateStore;
  readonly evidence: EvidenceArchive;
  /** Closes the evidence archive and the store (idempotent). */
  close(): Promise<void>;
}

export interface OpenDataStoreOptions {
  /** The evidence archive's clock (the receive time it records); the system clock by default. */
  readonly now?: () => Date;
}

/** The data directory cannot be used: not a directory, not writable, or its database cannot be opened. */
export class DataDirectoryError extends Error {
  override name = 'DataDirectoryError';
  constructor(
    readonly dir: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`data directory ${dir}: ${problem}`, options);
  }
}

function describeCause(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'is not a directory';
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

/** Opens (creating when missing) the data directory, its SQLite store and its evidence archive. */
export async function openDataStore(dir: string, options: OpenDataStoreOptions = {}): Promise<DataStore> {
  try {
    const info = await stat(dir).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    });
    if (info && !info.isDirectory()) throw new DataDirectoryError(dir, 'is not a directory');
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if (error instanceof DataDirectoryError) throw error;
    throw new DataDirectoryError(dir, `cannot be created (${describeCause(error)})`, { cause: error });
  }
  const databasePath = join(dir, DATABASE_FILE);
  const evidencePath = join(dir, EVIDENCE_FILE);
  let store: StateStore;
  try {
    store = createSqliteStore({ path: resolve(databasePath) });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new DataDirectoryError(dir, `cannot open ${DATABASE_FILE} (${detail})`, { cause: error });
  }
  let evidence: ReturnType<typeof createSqliteEvidenceArchive>;
  try {
    evidence = createSqliteEvidenceArchive({
      path: resolve(evidencePath),
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    await store.close();
    const detail = error instanceof Error ? error.message : String(error);
    throw new DataDirectoryError(dir, `cannot open ${EVIDENCE_FILE} (${detail})`, { cause: error });
  }
  let closed = false;
  return {
    dir,
    databasePath,
    evidencePath,
    store,
    evidence,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await evidence.close();
      } finally {
        await store.close();
      }
    },
  };
}

/**
 * The evidence archive in a local directory (the default for `npm start` and self-hosting):
 *
 *   <root>/sha256/<2 hex>/<hex>        the bytes
 *   <root>/sha256/<2 hex>/<hex>.json   the EvidenceRecord (written last: its presence means "stored")
 *
 * Writes are atomic: bytes go to a temp file that is fsynced and renamed into place; the record is
 * created with link(2), which fails when a record exists, so concurrent puts of the same bytes (even
 * from several processes) keep the first record. Retention (`purgeBefore`) deletes the bytes, then
 * the record, of evidence first stored before the cutoff, and temp files left by a crash. `putMany`
 * runs its puts 16 at a time (put-evidence-in-parallel.ts): each still costs its own fsyncs, which is
 * why the local runner's default is the SQLite archive (evidence-sqlite.ts), one fsync per batch.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateDirectory, PRIVATE_FILE_MODE } from '../util/private-files.ts';
import {
  assertEvidenceMeta,
  computeContentHash,
  parseContentHash,
  toEvidencePath,
} from './evidence-address.ts';
import { type EvidenceArchive, type EvidenceRecord, StoreUnavailableError } from './ports.ts';
import { putEvidenceInParallel } from './put-evidence-in-parallel.ts';

export interface DirectoryEvidenceArchiveOptions {
  /** The archive's root directory (created when missing), e.g. `<data dir>/evidence`. */
  readonly root: string;
  readonly now?: () => Date;
}

const TEMP_SUFFIX = '.tmp';

function isErrno(error: unknown, code: string): boolean {
  return (error as { code?: unknown })?.code === code;
}

async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  // Evidence may hold tenant details: 0600, whatever the umask.
  const file = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    await file.chmod(PRIVATE_FILE_MODE);
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function readRecord(path: string): Promise<EvidenceRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as EvidenceRecord;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

interface EvidencePaths {
  readonly dir: string;
  readonly data: string;
  readonly record: string;
}

function toEvidencePaths(root: string, hex: string): EvidencePaths {
  const data = join(root, ...toEvidencePath(hex).split('/'));
  return { dir: join(data, '..'), data, record: `${data}.json` };
}

function toTempName(path: string): string {
  return `${path}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
}

function toUnavailable(action: string, error: unknown): StoreUnavailableError {
  return new StoreUnavailableError(
    `evidence directory ${action} failed (${String((error as { code?: unknown })?.code ?? 'error')})`,
    { cause: error },
  );
}

/**
 * The bytes (temp file, fsync, rename), then the record (described once the bytes are in place),
 * linked into place so that the first of concurrent puts of the same bytes keeps its record.
 */
async function writeEvidence(
  paths: EvidencePaths,
  bytes: Uint8Array,
  describe: () => EvidenceRecord,
): Promise<EvidenceRecord> {
  await createPrivateDirectory(paths.dir);
  const tempData = toTempName(paths.data);
  await writeDurably(tempData, bytes);
  await rename(tempData, paths.data);
  const record = describe();
  const tempRecord = toTempName(paths.record);
  await writeDurably(tempRecord, `${JSON.stringify(record)}\n`);
  try {
    await link(tempRecord, paths.record);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    // Someone stored the same bytes first: theirs is the record.
    const first = await readRecord(paths.record);
    if (first) return first;
    throw error;
  } finally {
    await unlink(tempRecord).catch(() => {});
  }
  await syncDirectory(paths.dir);
  return record;
}

/** The record and its bytes, checked against their hash; undefined when either is missing. */
async function readEvidence(paths: EvidencePaths, contentHash: string) {
  const record = await readRecord(paths.record);
  if (!record) return undefined;
  let bytes: Buffer;
  try {
    bytes = await readFile(paths.data);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  if (computeContentHash(bytes) !== contentHash) {
    throw new StoreUnavailableError(`evidence ${contentHash} is corrupted on disk`);
  }
  return { record, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function unlinkIfPresent(path: string): Promise<void> {
  return unlink(path).catch((error: unknown) => {
    if (!isErrno(error, 'ENOENT')) throw error;
  });
}

/** One shard: temp files left by a crash, and evidence first stored before `limit` (epoch ms). */
async function purgeShard(dir: string, limit: number): Promise<number> {
  let purged = 0;
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (name.endsWith(TEMP_SUFFIX)) {
      // Left by a crash mid-put; a put in progress is younger than any sensible cutoff.
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < limit) await unlink(path).catch(() => {});
      continue;
    }
    if (!name.endsWith('.json')) continue;
    const record = await readRecord(path);
    const receivedAt = record ? Date.parse(record.receivedAt) : Number.NaN;
    if (!(receivedAt < limit)) continue;
    // Bytes first: a crash in between leaves a record without bytes, which get() treats as
    // absent and the next purge removes.
    await unlinkIfPresent(path.slice(0, -'.json'.length));
    await unlinkIfPresent(path);
    purged++;
  }
  return purged;
}

async function purgeEvidence(root: string, limit: number): Promise<number> {
  const base = join(root, 'sha256');
  let shards: string[];
  try {
    shards = await readdir(base);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return 0;
    throw error;
  }
  let purged = 0;
  for (const shard of shards) purged += await purgeShard(join(base, shard), limit);
  return purged;
}

export function createDirectoryEvidenceArchive(options: DirectoryEvidenceArchiveOptions): EvidenceArchive {
  const now = options.now ?? (() => new Date());
  const archive: EvidenceArchive = {
    kind: 'directory',

    async put(bytes, meta) {
      assertEvidenceMeta(meta);
      const contentHash = computeContentHash(bytes);
      const paths = toEvidencePaths(options.root, parseContentHash(contentHash));
      try {
        const existing = await readRecord(paths.record);
        if (existing) return existing;
        return await writeEvidence(paths, bytes, () => ({
          contentHash,
          bytes: bytes.byteLength,
          contentType: meta.contentType,
          receivedAt: now().toISOString(),
          kind: meta.kind,
        }));
      } catch (error) {
        throw toUnavailable('put', error);
      }
    },

    putMany(items) {
      return putEvidenceInParallel(archive.put, items);
    },

    async get(contentHash) {
      const paths = toEvidencePaths(options.root, parseContentHash(contentHash));
      try {
        return await readEvidence(paths, contentHash);
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        throw toUnavailable('get', error);
      }
    },

    async purgeBefore(cutoff) {
      try {
        return await purgeEvidence(options.root, cutoff.getTime());
      } catch (error) {
        throw toUnavailable('purge', error);
      }
    },
  };
  return archive;
}

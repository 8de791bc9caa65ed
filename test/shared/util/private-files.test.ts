/**
 * Private file modes on real files, under the usual umask and a permissive one (this test process's
 * own umask, restored afterwards): umask 000 must not loosen what is created; existing files are set
 * to 0600; only the data directory itself is tightened, never a parent that existed.
 */
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPrivateDirectory,
  preparePrivateDatabaseSync,
  securePrivateDirectory,
  tightenSqliteFilesSync,
} from '../../../shared/util/private-files.ts';

let dir: string;
let umask: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-private-'));
  umask = process.umask();
});

afterEach(async () => {
  process.umask(umask);
  await chmod(dir, 0o700);
  await rm(dir, { recursive: true, force: true });
});

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('private files', () => {
  for (const mask of [0o000, 0o022]) {
    it(`creates directories 0700 and databases 0600 under umask ${mask.toString(8).padStart(3, '0')}`, async () => {
      process.umask(mask);
      await createPrivateDirectory(join(dir, 'a', 'b'));
      preparePrivateDatabaseSync(join(dir, 'c', 'd', 'store.db'));
      expect(await modeOf(join(dir, 'a'))).toBe(0o700);
      expect(await modeOf(join(dir, 'a', 'b'))).toBe(0o700);
      expect(await modeOf(join(dir, 'c', 'd'))).toBe(0o700);
      expect(await modeOf(join(dir, 'c', 'd', 'store.db'))).toBe(0o600);
    });
  }

  it('sets existing database files and their -wal/-shm to 0600, leaving an existing directory alone', async () => {
    await chmod(dir, 0o755);
    const path = join(dir, 'store.db');
    for (const name of ['store.db', 'store.db-wal', 'store.db-shm'])
      await writeFile(join(dir, name), '', { mode: 0o644 });
    preparePrivateDatabaseSync(path);
    tightenSqliteFilesSync(path);
    for (const name of ['store.db', 'store.db-wal', 'store.db-shm'])
      expect(await modeOf(join(dir, name)), name).toBe(0o600);
    // A database may live in a shared directory: its directory is not ours to change.
    expect(await modeOf(dir)).toBe(0o755);
  });

  it('securePrivateDirectory creates the data directory 0700, or tightens one that lets others in and says from what', async () => {
    const fresh = join(dir, 'fresh');
    expect(await securePrivateDirectory(fresh)).toEqual({ created: true, loosenedMode: null });
    expect(await modeOf(fresh)).toBe(0o700);
    expect(await securePrivateDirectory(fresh)).toEqual({ created: false, loosenedMode: null });

    const loose = join(dir, 'loose');
    await mkdir(loose);
    await chmod(loose, 0o755);
    expect(await securePrivateDirectory(loose)).toEqual({ created: false, loosenedMode: 0o755 });
    expect(await modeOf(loose)).toBe(0o700);

    const file = join(dir, 'file');
    await writeFile(file, 'x');
    await expect(securePrivateDirectory(file)).rejects.toThrow(`${file} is not a directory`);
  });
});

/**
 * The data directory's lock in-process, on real files and real SQLite locks: one holder at a time
 * (a second connection in this very process is refused too), the holder recorded in runner.lock
 * (0600) and named by the refusal, released on release(), and a runner.lock left by a holder that
 * died overwritten. Across processes (SIGKILL) in test/cli/serve-lifecycle.int.test.ts.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireDataDirLock,
  DataDirInUseError,
  LOCK_DATABASE,
  LOCK_FILE,
} from '../../../functions/local/data-dir-lock.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-lock-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('acquireDataDirLock', () => {
  it('records the holder in runner.lock (0600) and refuses a second holder, naming the directory and the pid', async () => {
    const now = () => new Date('2026-03-01T12:00:00.000Z');
    const lock = await acquireDataDirLock(dir, { pid: 4242, now });
    try {
      expect(lock.path).toBe(join(dir, LOCK_FILE));
      expect(lock.previous).toBeUndefined();
      expect(JSON.parse(await readFile(lock.path, 'utf8'))).toEqual({
        pid: 4242,
        startedAt: '2026-03-01T12:00:00.000Z',
        hostname: hostname(),
      });
      expect((await stat(lock.path)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, LOCK_DATABASE))).mode & 0o777).toBe(0o600);

      const refused = await acquireDataDirLock(dir).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DataDirInUseError);
      expect((refused as Error).message).toBe(
        `data directory ${dir} is in use by another runner (pid 4242, since 2026-03-01T12:00:00.000Z)`,
      );
      // The refused attempt left the holder's record alone.
      expect(JSON.parse(await readFile(lock.path, 'utf8')).pid).toBe(4242);
    } finally {
      await lock.release();
    }
    await expect(stat(lock.path)).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await acquireDataDirLock(dir, { pid: 4343 });
    expect(again.previous).toBeUndefined();
    await again.release();
    await again.release();
  });

  it('takes over from a holder that died: its runner.lock is overwritten and reported as previous', async () => {
    const stale = { pid: 999_999, startedAt: '2026-02-01T00:00:00.000Z', hostname: hostname() };
    await writeFile(join(dir, LOCK_FILE), `${JSON.stringify(stale)}\n`, { mode: 0o644 });
    const lock = await acquireDataDirLock(dir, { pid: 4242 });
    try {
      expect(lock.previous).toEqual(stale);
      expect(JSON.parse(await readFile(lock.path, 'utf8')).pid).toBe(4242);
      expect((await stat(lock.path)).mode & 0o777).toBe(0o600);
    } finally {
      await lock.release();
    }
  });
});

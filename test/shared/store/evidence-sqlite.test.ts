/**
 * The SQLite evidence archive on real files: the contract, one row per content hash, a file and its
 * -wal/-shm 0600 (a new directory 0700) under umask 000, corruption detected on read, two
 * connections to one file agreeing on the first record, and close.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEvidenceArchive } from '../../../shared/store/evidence-sqlite.ts';
import { StoreUnavailableError, StoreUsageError } from '../../../shared/store/ports.ts';
import { describeEvidenceArchiveContract } from './evidence-archive-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'crosswatch-evidence-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const text = (value: string) => new TextEncoder().encode(value);
const modeOf = (path: string) => statSync(path).mode & 0o777;

describeEvidenceArchiveContract('sqlite', async (clock) => {
  const archive = createSqliteEvidenceArchive({
    path: join(dir, `contract-${++files}.db`),
    now: () => clock.now,
  });
  return { archive, cleanup: () => archive.close() };
});

describe('SQLite evidence archive', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask();
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('creates the file 0600 (and its -wal/-shm) in a new 0700 directory under umask 000', async () => {
    process.umask(0o000);
    const path = join(dir, 'private', 'nested', 'evidence.db');
    const archive = createSqliteEvidenceArchive({ path });
    try {
      await archive.put(text('tenant details'), { contentType: 'text/plain', kind: 'test' });
      expect(modeOf(join(dir, 'private'))).toBe(0o700);
      expect(modeOf(join(dir, 'private', 'nested'))).toBe(0o700);
      for (const name of ['evidence.db', 'evidence.db-wal', 'evidence.db-shm'])
        expect(modeOf(join(dir, 'private', 'nested', name)), name).toBe(0o600);
    } finally {
      await archive.close();
    }
  });

  it('keeps one row per content hash, in WAL with synchronous FULL', async () => {
    const path = join(dir, 'rows.db');
    const archive = createSqliteEvidenceArchive({ path });
    await archive.putMany([
      { bytes: text('a'), contentType: 'text/plain', kind: 'k' },
      { bytes: text('b'), contentType: 'text/plain', kind: 'k' },
      { bytes: text('a'), contentType: 'text/plain', kind: 'k' },
    ]);
    await archive.put(text('b'), { contentType: 'text/plain', kind: 'again' });
    await archive.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM evidence').get()).toEqual({ n: 2 });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    const reopened = createSqliteEvidenceArchive({ path });
    try {
      expect(
        (await reopened.get((await reopened.put(text('a'), { contentType: 'x', kind: 'y' })).contentHash))
          ?.record.kind,
      ).toBe('k');
    } finally {
      await reopened.close();
    }
  });

  it('two connections to one file keep the first record', async () => {
    const path = join(dir, 'shared.db');
    const first = createSqliteEvidenceArchive({ path, now: () => new Date('2026-02-06T12:00:00Z') });
    const second = createSqliteEvidenceArchive({ path, now: () => new Date('2026-02-07T12:00:00Z') });
    try {
      const a = await first.put(text('shared'), { contentType: 'text/plain', kind: 'first' });
      const [b] = await second.putMany([
        { bytes: text('shared'), contentType: 'text/plain', kind: 'second' },
      ]);
      expect(b).toEqual(a);
      expect((await second.get(a.contentHash))?.record).toEqual(a);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('detects bytes changed in the file as StoreUnavailableError naming it', async () => {
    const path = join(dir, 'corrupt.db');
    const archive = createSqliteEvidenceArchive({ path });
    const record = await archive.put(text('original'), { contentType: 'text/plain', kind: 'test' });
    const db = new Database(path);
    db.prepare('UPDATE evidence SET bytes = ?').run(Buffer.from('tampered'));
    db.close();
    const error = await archive.get(record.contentHash).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(path);
    await archive.close();
  });

  it('reports a file it cannot open as StoreUnavailableError naming it; a closed archive as StoreUsageError', async () => {
    const notADatabase = join(dir, 'not-a-db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      notADatabase,
      'this is not a SQLite database, just text long enough to have a header '.repeat(3),
    );
    let error: unknown;
    try {
      createSqliteEvidenceArchive({ path: notADatabase });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(notADatabase);
    expect((error as Error).message).not.toContain('\n');

    const archive = createSqliteEvidenceArchive({ path: join(dir, 'closed.db') });
    await archive.close();
    await archive.close();
    await expect(archive.put(text('x'), { contentType: 'text/plain', kind: 'k' })).rejects.toBeInstanceOf(
      StoreUsageError,
    );
  });
});

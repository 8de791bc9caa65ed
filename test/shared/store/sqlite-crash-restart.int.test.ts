/**
 * Crash-restart on the SQLite store: a child process writes incidents and decisions and is killed
 * with SIGKILL mid-stream (twice); a new process on the same file finds every write the child
 * acknowledged, and the file passes SQLite's integrity check (WAL recovery).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../shared/store/sqlite-store.ts';

const CHILD = fileURLToPath(new URL('../../helpers/sqlite-store-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'crosswatch-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ack {
  readonly index: number;
  readonly decisionVersion: string;
}

/** Runs the writer child until it has acknowledged `killAfter` writes, then SIGKILLs it. */
async function writeUntilKilled(path: string, from: number, killAfter: number): Promise<Ack[]> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, path, 'write', String(from), '1000000'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const acks: Ack[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, index, version] = line.split(' ');
        if (word !== 'ack' || index === undefined || version === undefined) continue;
        acks.push({ index: Number(index), decisionVersion: version });
        // Killed while it keeps writing: the next write is in flight or about to be.
        if (acks.length === killAfter) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
    child.on('exit', () => reject(new Error(`writer exited before ${killAfter} acks: ${stderr}`)));
  }).catch((error: unknown) => {
    if (acks.length < killAfter) throw error;
  });
  expect(await exited).toBe('SIGKILL');
  return acks;
}

function integrityCheck(path: string): unknown {
  const db = new Database(path);
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

describe('SQLite crash-restart', () => {
  it('keeps every acknowledged write across two SIGKILLs', async () => {
    const path = join(dir, 'crash.db');
    const first = await writeUntilKilled(path, 0, 300);
    const lastFirst = first[first.length - 1]?.index ?? -1;
    // A second writer on the same file (recovering its WAL), killed again.
    const second = await writeUntilKilled(path, lastFirst + 1000, 200);

    expect(integrityCheck(path)).toBe('ok');
    const store = createSqliteStore({ path });
    for (const ack of [...first, ...second]) {
      const key = `azure:INC-${String(ack.index).padStart(5, '0')}`;
      const incident = await store.get<{ incidentKey: string; status: string }>('incidents', key);
      expect(incident?.value).toMatchObject({ incidentKey: key, status: 'active' });
      const decision = await store.get<{ incidentKey: string }>(
        'decisions',
        `2026-02-06T12:00:00.000Z|${String(ack.index).padStart(5, '0')}`,
      );
      expect(decision?.version).toBe(ack.decisionVersion);
      expect(decision?.value.incidentKey).toBe(key);
    }
    const counter = await store.get<{ count: number }>('counters', 'written');
    expect(counter?.value.count).toBeGreaterThanOrEqual(first.length + second.length);
    // The store still takes writes after recovery.
    await store.put('incidents', 'after-restart', { ok: true }, { expectedVersion: null });
    await store.close();
    expect(integrityCheck(path)).toBe('ok');
  });
});

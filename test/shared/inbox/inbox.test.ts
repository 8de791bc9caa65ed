/**
 * The inbox contract against both backends: the store-backed inbox (any StateStore; here the memory
 * and SQLite stores) and the group-commit SQLite inbox. They differ on a body posted twice: the store
 * inbox keeps it once; the SQLite inbox (rows appended by seq, no index on id) keeps two pending rows
 * that one settle settles together.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  computeInboxId,
  createInboxEntry,
  createStoreInbox,
  type InboxEntry,
  type InboxQueue,
  readInboxEntryBytes,
  readInboxEntryText,
} from '../../../shared/inbox/inbox.ts';
import { createSqliteInbox, type SqliteInbox } from '../../../shared/inbox/sqlite-inbox.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { createSqliteStore } from '../../../shared/store/sqlite-store.ts';

let dir: string;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-inbox-'));
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await rm(dir, { recursive: true, force: true });
});

function entry(body: string, at = '2026-11-29T12:00:00.000Z') {
  return createInboxEntry(Buffer.from(body), {
    source: 'service-health',
    contentType: 'application/json',
    receivedAt: new Date(at),
  });
}

const sqliteBackends: [string, (name: string) => SqliteInbox][] = [
  [
    'group-commit SQLite inbox (writer thread)',
    (name) => {
      const inbox = createSqliteInbox({ path: join(dir, `${name}.db`) });
      closers.push(() => inbox.close());
      return inbox;
    },
  ],
  [
    'group-commit SQLite inbox (calling thread)',
    (name) => {
      const inbox = createSqliteInbox({ path: join(dir, `${name}.db`), offThread: false });
      closers.push(() => inbox.close());
      return inbox;
    },
  ],
];

const backends: [string, () => InboxQueue][] = [
  ['store inbox on the memory store', () => createStoreInbox(createMemoryStore())],
  [
    'store inbox on the SQLite store',
    () => {
      const store = createSqliteStore({ path: join(dir, 'state.db') });
      closers.push(() => store.close());
      return createStoreInbox(store);
    },
  ],
  ...sqliteBackends.map(([name, open]): [string, () => InboxQueue] => [name, () => open('contract')]),
];

describe.each(backends)('%s', (_name, create) => {
  it('keeps entries pending in arrival order until settled', async () => {
    const inbox = create();
    const first = entry('{"n":1}', '2026-11-29T12:00:00.000Z');
    const second = entry('{"n":2}', '2026-11-29T12:00:01.000Z');
    const third = entry('{"n":3}', '2026-11-29T12:00:02.000Z');
    await inbox.put(first);
    await inbox.putMany([second, third]);
    expect(await inbox.countPending()).toBe(3);
    expect((await inbox.listPending()).map((item) => item.id)).toEqual([first.id, second.id, third.id]);
    expect((await inbox.listPending(1)).map((item) => item.id)).toEqual([first.id]);

    await inbox.markProcessed(first.id, new Date('2026-11-29T12:01:00.000Z'));
    await inbox.markProcessed(second.id, new Date('2026-11-29T12:01:00.000Z'), 'not a known format');
    expect(await inbox.countPending()).toBe(1);
    expect((await inbox.listPending()).map((item) => item.id)).toEqual([third.id]);
    await inbox.markProcessed(third.id, new Date('2026-11-29T12:01:00.000Z'));
    expect(await inbox.listPending()).toEqual([]);
    // Settling an id that is not pending (again, or never put) changes nothing.
    await inbox.markProcessed(first.id, new Date('2026-11-29T12:02:00.000Z'));
    await inbox.markProcessed(computeInboxId('never put'), new Date('2026-11-29T12:02:00.000Z'));
    expect(await inbox.countPending()).toBe(0);
  });

  it('returns the entry as it was put', async () => {
    const inbox = create();
    const original = entry('{"émoji":"✓"}');
    await inbox.put(original);
    expect(await inbox.listPending()).toEqual([original]);
    expect(original.id).toBe(computeInboxId(Buffer.from('{"émoji":"✓"}')));
    expect(original.bodyEncoding).toBeUndefined();
  });

  it('keeps a body that is not valid UTF-8 byte for byte', async () => {
    const inbox = create();
    // Latin-1 "é" (0xE9) inside a JSON string, a lone continuation byte, and a truncated sequence.
    const received = Buffer.concat([
      Buffer.from('{"title":"Caf'),
      Buffer.from([0xe9, 0x80, 0xe2, 0x82]),
      Buffer.from('"}'),
    ]);
    const original = createInboxEntry(received, {
      source: 'webhook',
      contentType: 'application/json',
      receivedAt: new Date('2026-11-29T12:00:00.000Z'),
    });
    await inbox.put(original);
    const [stored] = await inbox.listPending();
    if (!stored) throw new Error('nothing pending');
    expect(readInboxEntryBytes(stored).equals(received)).toBe(true);
    expect(stored.id).toBe(computeInboxId(received));
    expect(computeInboxId(readInboxEntryBytes(stored))).toBe(stored.id);
    // Parsing reads text: the invalid bytes become U+FFFD there, and only there.
    expect(JSON.parse(readInboxEntryText(stored)).title).toBe('Caf\uFFFD\uFFFD');
  });
});

describe('store inbox', () => {
  it('stores a body once, and a redelivery of a settled body stays settled', async () => {
    const inbox = createStoreInbox(createMemoryStore());
    const first = entry('{"n":1}', '2026-11-29T12:00:00.000Z');
    await inbox.put(first);
    await inbox.putMany([entry('{"n":1}', '2026-11-29T12:00:02.000Z')]);
    expect(await inbox.countPending()).toBe(1);
    expect(await inbox.listPending()).toEqual([first]);
    await inbox.markProcessed(first.id, new Date('2026-11-29T12:01:00.000Z'));
    await inbox.put(entry('{"n":1}', '2026-11-29T12:05:00.000Z'));
    expect(await inbox.countPending()).toBe(0);
  });
});

describe.each(sqliteBackends)('%s', (_name, open) => {
  it('keeps a body posted twice as two pending rows, and one settle settles both', async () => {
    const inbox = open('duplicates');
    const copy = entry('{"n":1}', '2026-11-29T12:00:00.000Z');
    const other = entry('{"n":2}', '2026-11-29T12:00:01.000Z');
    const again = entry('{"n":1}', '2026-11-29T12:00:02.000Z');
    await inbox.put(copy);
    await inbox.putMany([other, again]);
    expect(copy.id).toBe(again.id);
    expect(await inbox.countPending()).toBe(3);
    expect(await inbox.listPending()).toEqual([copy, other, again]);

    await inbox.markProcessed(copy.id, new Date('2026-11-29T12:01:00.000Z'));
    expect(await inbox.countPending()).toBe(1);
    expect(await inbox.listPending()).toEqual([other]);
    // Posted again after it was settled: pending again (processing is idempotent).
    await inbox.put(entry('{"n":1}', '2026-11-29T12:05:00.000Z'));
    expect(await inbox.countPending()).toBe(2);
  });

  it('lists the newest pending entries first', async () => {
    const inbox = open('newest');
    const entries = Array.from({ length: 5 }, (_, index) =>
      entry(`{"n":${index}}`, `2026-11-29T12:00:0${index}.000Z`),
    );
    for (const item of entries) await inbox.put(item);
    await inbox.markProcessed(entries[4]?.id ?? '', new Date('2026-11-29T12:01:00.000Z'));
    expect((await inbox.listNewestPending(2)).map((item) => item.receivedAt)).toEqual([
      '2026-11-29T12:00:03.000Z',
      '2026-11-29T12:00:02.000Z',
    ]);
    expect(await inbox.listNewestPending(10)).toEqual([entries[3], entries[2], entries[1], entries[0]]);
    expect(await inbox.listPending(10)).toEqual([entries[0], entries[1], entries[2], entries[3]]);
  });

  it('settles many ids (and each of their copies) in one commit', async () => {
    const inbox = open('many');
    const entries = Array.from({ length: 6 }, (_, index) => entry(`{"n":${index}}`));
    await inbox.putMany([...entries, entry('{"n":0}', '2026-11-29T12:00:09.000Z')]);
    const commits = inbox.stats.commits;
    await inbox.markProcessedMany(
      entries.slice(0, 4).map((item) => item.id),
      new Date('2026-11-29T12:01:00.000Z'),
    );
    expect(inbox.stats.commits).toBe(commits + 1);
    expect(await inbox.countPending()).toBe(2);
    expect((await inbox.listPending()).map((item) => item.id)).toEqual([entries[4]?.id, entries[5]?.id]);
    await inbox.markProcessedMany([], new Date());
    expect(inbox.stats.commits).toBe(commits + 1);
  });

  it('settles rows another connection appended while it was open', async () => {
    const inbox = open('appended');
    await inbox.put(entry('{"n":1}'));
    const late = entry('{"late":true}');
    const db = new Database(join(dir, 'appended.db'));
    try {
      db.prepare(
        'INSERT INTO inbox (id, received_at, body, source, content_type) VALUES (?, ?, ?, ?, ?)',
      ).run(late.id, late.receivedAt, late.body, late.source, late.contentType);
    } finally {
      db.close();
    }
    expect(await inbox.countPending()).toBe(2);
    await inbox.markProcessed(late.id, new Date());
    expect((await inbox.listPending()).map((item) => JSON.parse(item.body))).toEqual([{ n: 1 }]);
  });

  it('finds the pending rows of a file it reopens', async () => {
    const first = open('reopen');
    const kept = entry('{"kept":true}');
    await first.putMany([kept, entry('{"other":true}'), entry('{"kept":true}', '2026-11-29T12:00:09.000Z')]);
    await first.close();
    const second = open('reopen');
    expect(await second.countPending()).toBe(3);
    await second.markProcessed(kept.id, new Date());
    expect((await second.listPending()).map((item) => JSON.parse(item.body))).toEqual([{ other: true }]);
  });
});

/** An inbox file as schema 1 wrote it: a UNIQUE index on id. */
function writeSchemaOneFile(path: string, rows: readonly { entry: InboxEntry; state: string }[]): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE inbox (
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
    CREATE INDEX inbox_pending ON inbox (seq) WHERE state = 'pending';`);
    const insert = db.prepare(
      'INSERT INTO inbox (id, received_at, body, source, content_type, state, settled_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const row of rows) {
      const settledAt = row.state === 'pending' ? null : '2026-11-29T12:30:00.000Z';
      insert.run(
        row.entry.id,
        row.entry.receivedAt,
        row.entry.body,
        row.entry.source,
        row.entry.contentType,
        row.state,
        settledAt,
      );
    }
  } finally {
    db.close();
  }
}

describe.each(sqliteBackends)('%s on a schema-1 file', (_name, open) => {
  it('migrates it in place, keeping every row, its seq and its state', async () => {
    const path = join(dir, 'schema-one.db');
    const settled = entry('{"settled":true}', '2026-11-29T12:00:00.000Z');
    const pendingA = entry('{"a":1}', '2026-11-29T12:00:01.000Z');
    const pendingB = entry('{"b":1}', '2026-11-29T12:00:02.000Z');
    writeSchemaOneFile(path, [
      { entry: settled, state: 'processed' },
      { entry: pendingA, state: 'pending' },
      { entry: pendingB, state: 'pending' },
    ]);
    const inbox = open('schema-one');
    expect(await inbox.countPending()).toBe(2);
    expect(await inbox.listPending()).toEqual([pendingA, pendingB]);
    // No unique index any more: a second copy is a row of its own, and seqs go on after the old ones.
    const copy = entry('{"a":1}', '2026-11-29T12:00:03.000Z');
    await inbox.put(copy);
    expect(await inbox.listNewestPending(1)).toEqual([copy]);
    await inbox.markProcessed(pendingA.id, new Date('2026-11-29T12:40:00.000Z'));
    expect(await inbox.listPending()).toEqual([pendingB]);
    expect(await inbox.purgeSettled(new Date('2026-11-29T12:35:00.000Z'))).toBe(1);
    await inbox.close();

    const db = new Database(path, { readonly: true });
    try {
      const indexes = db
        .prepare<[], { origin: string }>("SELECT origin FROM pragma_index_list('inbox')")
        .all();
      expect(indexes.map((index) => index.origin)).toEqual(['c']);
      const rows = db
        .prepare<[], { seq: number; state: string }>('SELECT seq, state FROM inbox ORDER BY seq')
        .all();
      expect(rows).toEqual([
        { seq: 2, state: 'processed' },
        { seq: 3, state: 'pending' },
        { seq: 4, state: 'processed' },
      ]);
    } finally {
      db.close();
    }
  });

  it('keeps seqs increasing after the migration even when the newest rows were purged', async () => {
    const path = join(dir, 'schema-one.db');
    writeSchemaOneFile(path, [
      { entry: entry('{"n":1}'), state: 'processed' },
      { entry: entry('{"n":2}'), state: 'processed' },
    ]);
    const inbox = open('schema-one');
    expect(await inbox.purgeSettled(new Date('2026-12-01T00:00:00.000Z'))).toBe(2);
    const next = entry('{"n":3}');
    await inbox.put(next);
    await inbox.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT seq FROM inbox').pluck().all()).toEqual([3]);
    } finally {
      db.close();
    }
  });
});

describe('group-commit SQLite inbox', () => {
  it('commits concurrent puts in one transaction and resolves each once committed', async () => {
    const path = join(dir, 'inbox.db');
    const inbox: SqliteInbox = createSqliteInbox({ path });
    const puts = Array.from({ length: 200 }, (_, index) => inbox.put(entry(`{"n":${index}}`)));
    await Promise.all(puts);
    expect(inbox.stats).toEqual({ commits: 1, entries: 200 });
    await inbox.close();
    // Another connection (another process after a crash) sees every entry.
    const reopened = createSqliteInbox({ path });
    closers.push(() => reopened.close());
    expect(await reopened.countPending()).toBe(200);
  });

  it('writes the same file from either committer', async () => {
    const path = join(dir, 'shared.db');
    const inThread = createSqliteInbox({ path, offThread: false });
    await inThread.put(entry('{"from":"calling thread"}'));
    await inThread.close();
    const writer = createSqliteInbox({ path });
    closers.push(() => writer.close());
    await writer.put(entry('{"from":"writer thread"}'));
    const pending = await writer.listPending();
    expect(pending.map((item) => JSON.parse(item.body).from)).toEqual(['calling thread', 'writer thread']);
    await writer.markProcessed(pending[0]?.id ?? '', new Date());
    expect(await writer.countPending()).toBe(1);
  });

  it('settles pending writes before close resolves', async () => {
    const path = join(dir, 'close.db');
    const inbox = createSqliteInbox({ path });
    const puts = [inbox.put(entry('{"a":1}')), inbox.put(entry('{"a":2}'))];
    await inbox.close();
    await Promise.all(puts);
    const reopened = createSqliteInbox({ path, offThread: false });
    closers.push(() => reopened.close());
    expect(await reopened.countPending()).toBe(2);
  });

  it('purges settled entries past retention, never pending ones', async () => {
    const inbox = createSqliteInbox({ path: join(dir, 'retention.db') });
    closers.push(() => inbox.close());
    const settled = entry('{"old":true}');
    await inbox.putMany([settled, entry('{"pending":true}')]);
    await inbox.markProcessed(settled.id, new Date('2026-11-01T00:00:00.000Z'));
    expect(await inbox.purgeSettled(new Date('2026-10-01T00:00:00.000Z'))).toBe(0);
    expect(await inbox.purgeSettled(new Date('2026-11-29T00:00:00.000Z'))).toBe(1);
    expect(await inbox.countPending()).toBe(1);
  });

  it('stores a body that is not valid UTF-8 as the received bytes (a BLOB) from either committer', async () => {
    const path = join(dir, 'latin1.db');
    const latin1 = Buffer.from('{"title":"Café"}', 'latin1');
    const other = Buffer.from('{"title":"Crème"}', 'latin1');
    const inThread = createSqliteInbox({ path, offThread: false });
    await inThread.put(
      createInboxEntry(latin1, {
        source: 'webhook',
        contentType: 'application/json',
        receivedAt: new Date(),
      }),
    );
    await inThread.close();
    const writer = createSqliteInbox({ path });
    await writer.put(
      createInboxEntry(other, { source: 'webhook', contentType: 'application/json', receivedAt: new Date() }),
    );
    await writer.close();
    const db = new Database(path, { readonly: true });
    try {
      const rows = db
        .prepare<[], { id: string; body: unknown }>('SELECT id, body FROM inbox ORDER BY seq')
        .all();
      expect(rows.map((row) => row.id)).toEqual([computeInboxId(latin1), computeInboxId(other)]);
      // better-sqlite3 returns a BLOB as a Buffer, TEXT as a string.
      expect(rows.map((row) => row.body)).toEqual([latin1, other]);
    } finally {
      db.close();
    }
  });

  it('refuses puts after close', async () => {
    const inbox = createSqliteInbox({ path: join(dir, 'closed.db') });
    await inbox.close();
    await expect(inbox.put(entry('{}'))).rejects.toThrow('the inbox is closed');
  });
});

/**
 * The inbox contract against both backends: the store-backed inbox (any StateStore; here the memory
 * and SQLite stores) and the group-commit SQLite inbox.
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
  [
    'group-commit SQLite inbox (writer thread)',
    () => {
      const inbox = createSqliteInbox({ path: join(dir, 'inbox.db') });
      closers.push(() => inbox.close());
      return inbox;
    },
  ],
  [
    'group-commit SQLite inbox (calling thread)',
    () => {
      const inbox = createSqliteInbox({ path: join(dir, 'inbox-in-thread.db'), offThread: false });
      closers.push(() => inbox.close());
      return inbox;
    },
  ],
];

describe.each(backends)('%s', (_name, create) => {
  it('keeps entries pending in arrival order until settled, and stores a body once', async () => {
    const inbox = create();
    const first = entry('{"n":1}', '2026-11-29T12:00:00.000Z');
    const second = entry('{"n":2}', '2026-11-29T12:00:01.000Z');
    await inbox.put(first);
    await inbox.putMany([second, entry('{"n":1}', '2026-11-29T12:00:02.000Z')]);
    expect(await inbox.countPending()).toBe(2);
    expect((await inbox.listPending()).map((item) => item.id)).toEqual([first.id, second.id]);
    expect((await inbox.listPending(1)).map((item) => item.id)).toEqual([first.id]);

    await inbox.markProcessed(first.id, new Date('2026-11-29T12:01:00.000Z'));
    await inbox.markProcessed(second.id, new Date('2026-11-29T12:01:00.000Z'), 'not a known format');
    expect(await inbox.countPending()).toBe(0);
    expect(await inbox.listPending()).toEqual([]);
    // A redelivery of a settled body stays settled (it is not processed twice).
    await inbox.put(entry('{"n":1}', '2026-11-29T12:05:00.000Z'));
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

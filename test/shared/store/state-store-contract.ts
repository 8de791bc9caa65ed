/**
 * The one contract every StateStore adapter passes (memory, SQLite, Azure Table, DynamoDB): the
 * semantics of shared/store/ports.ts, with the memory adapter as the reference. Each test uses its
 * own collection names, so a setup may share one store (and one server) across the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  MAX_KEY_LENGTH,
  type StateStore,
  type StoredItem,
  StoreUsageError,
  updateItem,
} from '../../../shared/store/ports.ts';

export interface StateStoreFixture {
  readonly store: StateStore;
  cleanup(): Promise<void>;
}

/** Keys with every character an adapter has to encode, prefixes of each other, and non-BMP text. */
export const AWKWARD_KEYS: readonly string[] = [
  'a',
  'a/',
  'a/b',
  'a/b/c',
  'a#1',
  'a?x=1&y=2',
  'a\\b',
  'a%2F',
  'a:b',
  'a b',
  'a.b',
  'a~b',
  'a[0]',
  'a"q"',
  'a>b',
  'a\u0001ctl',
  'a\u007fdel',
  'a\u0085nel',
  'aé',
  'a中文',
  'a\u{1F600}grin',
  'a\uFF5Awide',
  'a\uFFFF',
  'b',
  '/leading',
  '#hash',
  '?q',
  '\\back',
  '%',
  ':',
  ' space',
  '~tilde',
  'Z',
  'z',
  '0',
  '9',
];

const codeUnitOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function expectConflict(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(ConflictError);
}

async function expectUsageError(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(StoreUsageError);
}

async function listAll<T>(
  store: StateStore,
  collection: string,
  options: { prefix?: string; limit?: number } = {},
): Promise<{ items: StoredItem<T>[]; pages: number }> {
  const items: StoredItem<T>[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list<T>(collection, {
      ...options,
      ...(cursor === undefined ? {} : { cursor }),
    });
    pages++;
    items.push(...page.items);
    cursor = page.cursor;
    if (pages > 10_000) throw new Error('list never ends');
  } while (cursor !== undefined);
  return { items, pages };
}

function makeLargeValue(approxChars: number, seed: string) {
  // Varied text (not one repeated character) with some non-ASCII, so compression or chunking is exercised.
  const words: string[] = [];
  let total = 0;
  for (let i = 0; total < approxChars; i++) {
    const word = `${seed}-${i.toString(36)}-${i % 7 === 0 ? 'é中\u{1F600}' : 'lorem'}`;
    words.push(word);
    total += word.length + 3;
  }
  return { seed, words, tail: 'end' };
}

export function describeStateStoreContract(name: string, setup: () => Promise<StateStoreFixture>): void {
  describe(`StateStore contract: ${name}`, () => {
    let fixture: StateStoreFixture;
    let store: StateStore;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    it('put, get, overwrite and delete one document', async () => {
      const c = 'basic';
      expect(await store.get(c, 'missing')).toBeUndefined();
      const first = await store.put(c, 'doc', { n: 1, nested: { list: [1, 'two', null, true] } });
      expect(first.key).toBe('doc');
      expect(typeof first.version).toBe('string');
      expect(first.value).toEqual({ n: 1, nested: { list: [1, 'two', null, true] } });
      expect(await store.get(c, 'doc')).toEqual(first);

      const second = await store.put(c, 'doc', { n: 2 });
      expect(second.version).not.toBe(first.version);
      expect(await store.get(c, 'doc')).toEqual(second);

      // Scalars, arrays and strings are JSON values too.
      for (const value of ['text', 42, 0, false, null, [1, 2], '']) {
        await store.put(c, 'scalar', value);
        expect((await store.get(c, 'scalar'))?.value).toEqual(value);
      }

      expect(await store.delete(c, 'doc')).toBe(true);
      expect(await store.get(c, 'doc')).toBeUndefined();
      expect(await store.delete(c, 'doc')).toBe(false);
    });

    it('keeps collections apart', async () => {
      await store.put('apart-one', 'k', 'one');
      await store.put('apart-two', 'k', 'two');
      expect((await store.get('apart-one', 'k'))?.value).toBe('one');
      expect((await store.get('apart-two', 'k'))?.value).toBe('two');
      await store.delete('apart-one', 'k');
      expect((await store.get('apart-two', 'k'))?.value).toBe('two');
      expect((await store.list('apart-one')).items).toEqual([]);
    });

    it('create-only put (expectedVersion: null) conflicts when the document exists', async () => {
      const c = 'create-only';
      const created = await store.put(c, 'k', { v: 1 }, { expectedVersion: null });
      await expectConflict(store.put(c, 'k', { v: 2 }, { expectedVersion: null }));
      expect(await store.get(c, 'k')).toEqual(created);
      // After a delete the key can be created again.
      await store.delete(c, 'k');
      const recreated = await store.put(c, 'k', { v: 3 }, { expectedVersion: null });
      expect(recreated.value).toEqual({ v: 3 });
    });

    it('compare-and-swap put succeeds on the current version and conflicts on a stale one', async () => {
      const c = 'cas';
      const v1 = await store.put(c, 'k', { n: 1 });
      const v2 = await store.put(c, 'k', { n: 2 }, { expectedVersion: v1.version });
      expect(v2.value).toEqual({ n: 2 });
      expect(v2.version).not.toBe(v1.version);
      await expectConflict(store.put(c, 'k', { n: 3 }, { expectedVersion: v1.version }));
      expect(await store.get(c, 'k')).toEqual(v2);
      // A version on a missing document, or a token the adapter never issued, is a conflict.
      await expectConflict(store.put(c, 'absent', { n: 1 }, { expectedVersion: v2.version }));
      expect(await store.get(c, 'absent')).toBeUndefined();
      await expectConflict(store.put(c, 'k', { n: 9 }, { expectedVersion: 'not-a-version' }));
      const v3 = await store.put(c, 'k', { n: 3 }, { expectedVersion: v2.version });
      expect((await store.get(c, 'k'))?.version).toBe(v3.version);
    });

    it('delete with a version: conflicts when stale or missing, deletes when current', async () => {
      const c = 'delete-version';
      const v1 = await store.put(c, 'k', 'one');
      const v2 = await store.put(c, 'k', 'two');
      await expectConflict(store.delete(c, 'k', { expectedVersion: v1.version }));
      expect((await store.get(c, 'k'))?.value).toBe('two');
      expect(await store.delete(c, 'k', { expectedVersion: v2.version })).toBe(true);
      expect(await store.get(c, 'k')).toBeUndefined();
      await expectConflict(store.delete(c, 'k', { expectedVersion: v2.version }));
    });

    it('stores keys with reserved and non-ASCII characters exactly', async () => {
      const c = 'awkward-keys';
      for (const key of AWKWARD_KEYS) await store.put(c, key, { key });
      for (const key of AWKWARD_KEYS) {
        const item = await store.get<{ key: string }>(c, key);
        expect(item?.key).toBe(key);
        expect(item?.value.key).toBe(key);
      }
      const longKey = 'k'.repeat(MAX_KEY_LENGTH);
      await store.put(c, longKey, 'long');
      expect((await store.get(c, longKey))?.value).toBe('long');
    });

    it('lists in code-unit order with prefixes and cursors across many pages', async () => {
      const c = 'listing';
      const keys = [
        ...AWKWARD_KEYS,
        ...Array.from({ length: 150 }, (_, i) => `item/${String(i).padStart(3, '0')}`),
        ...Array.from({ length: 30 }, (_, i) => `item#${i}`),
      ];
      const shuffled = [...keys].sort((a, b) => codeUnitOrder(`${a.length}${a}`, `${b.length}${b}`));
      for (const key of shuffled) await store.put(c, key, { key });
      const sorted = [...keys].sort(codeUnitOrder);

      const firstPage = await store.list<{ key: string }>(c, { limit: 10 });
      expect(firstPage.items.map((item) => item.key)).toEqual(sorted.slice(0, 10));
      expect(firstPage.cursor).toBeDefined();
      expect(firstPage.items[0]?.value).toEqual({ key: sorted[0] });
      expect(typeof firstPage.items[0]?.version).toBe('string');

      const all = await listAll<{ key: string }>(store, c, { limit: 7 });
      expect(all.items.map((item) => item.key)).toEqual(sorted);
      expect(all.pages).toBeGreaterThanOrEqual(Math.ceil(sorted.length / 7));

      // Default page size is 100: the whole collection in order, by cursor.
      const defaults = await listAll(store, c);
      expect(defaults.items.map((item) => item.key)).toEqual(sorted);

      for (const prefix of ['a', 'a/', 'a/b', 'item/', 'item/1', 'item#', '#', 'a\u{1F600}', 'zzz', '']) {
        const expected = sorted.filter((key) => key.startsWith(prefix));
        const page = await listAll(store, c, { prefix, limit: 9 });
        expect(
          page.items.map((item) => item.key),
          `prefix ${JSON.stringify(prefix)}`,
        ).toEqual(expected);
      }

      // An exact final page has no cursor; an empty collection lists nothing.
      const exact = await store.list(c, { prefix: 'item/14', limit: 10 });
      expect(exact.items).toHaveLength(10);
      expect(exact.cursor).toBeUndefined();
      expect(await store.list('listing-empty')).toEqual({ items: [] });
    });

    it('stores values larger than 64 KB and about 300 KB', async () => {
      const c = 'large';
      const medium = makeLargeValue(70 * 1024, 'medium');
      const large = makeLargeValue(300 * 1024, 'large');
      expect(JSON.stringify(large).length).toBeGreaterThan(300 * 1024);
      const m = await store.put(c, 'medium', medium);
      expect(m.value).toEqual(medium);
      expect((await store.get(c, 'medium'))?.value).toEqual(medium);
      const l = await store.put(c, 'large', large, { expectedVersion: null });
      expect((await store.get(c, 'large'))?.value).toEqual(large);
      // Shrinking a large value leaves no trace of the old one.
      await store.put(c, 'large', { small: true }, { expectedVersion: l.version });
      expect((await store.get(c, 'large'))?.value).toEqual({ small: true });
      const listed = await store.list(c);
      expect(listed.items.map((item) => item.key)).toEqual(['large', 'medium']);
      expect(listed.items[1]?.value).toEqual(medium);
    });

    it('purgeExpired deletes only items that expired before now', async () => {
      const c = 'expiry';
      const now = Date.UTC(2026, 1, 6, 12);
      await store.put(c, 'old', 1, { expiresAt: now - 1000 });
      await store.put(c, 'older', 2, { expiresAt: now - 86_400_000 });
      await store.put(c, 'at-now', 3, { expiresAt: now });
      await store.put(c, 'future', 4, { expiresAt: now + 1000 });
      await store.put(c, 'forever', 5);
      // Rewriting without expiresAt clears it.
      await store.put(c, 'renewed', 6, { expiresAt: now - 5000 });
      await store.put(c, 'renewed', 7);
      await store.put('expiry-other', 'old', 1, { expiresAt: now - 1000 });

      expect(await store.purgeExpired(c, now)).toBe(2);
      const left = (await store.list(c)).items.map((item) => item.key);
      expect(left).toEqual(['at-now', 'forever', 'future', 'renewed']);
      expect(await store.purgeExpired(c, now)).toBe(0);
      expect(await store.get('expiry-other', 'old')).toBeDefined();
    });

    it('rejects invalid collections, keys and values with StoreUsageError', async () => {
      for (const collection of [
        '',
        'Upper',
        '1digit',
        'has_underscore',
        'has space',
        'a/b',
        'x'.repeat(64),
      ]) {
        await expectUsageError(store.get(collection, 'k'));
        await expectUsageError(store.put(collection, 'k', 1));
        await expectUsageError(store.list(collection));
      }
      for (const key of ['', 'k'.repeat(MAX_KEY_LENGTH + 1)]) {
        await expectUsageError(store.get('usage', key));
        await expectUsageError(store.put('usage', key, 1));
        await expectUsageError(store.delete('usage', key));
      }
      await expectUsageError(store.put('usage', 'k', undefined));
      await expectUsageError(store.put('usage', 'k', () => 1));
      await expectUsageError(store.put('usage', 'k', { n: 10n }));
      expect(await store.get('usage', 'k')).toBeUndefined();
    });

    it('updateItem with 8 parallel workers × 25 increments loses no update', async () => {
      const c = 'parallel-counter';
      const workers = 8;
      const increments = 25;
      const attempts: number[] = [];
      await Promise.all(
        Array.from({ length: workers }, async (_, worker) => {
          for (let i = 0; i < increments; i++) {
            await updateItem<{ count: number; by: Record<string, number> }>(
              store,
              c,
              'counter',
              (current) => {
                attempts.push(worker);
                const by = { ...(current?.by ?? {}) };
                by[worker] = (by[worker] ?? 0) + 1;
                return { count: (current?.count ?? 0) + 1, by };
              },
              // Network adapters lose many rounds under 8-way contention; the budget only bounds the test.
              { maxAttempts: 10_000 },
            );
          }
        }),
      );
      const final = await store.get<{ count: number; by: Record<string, number> }>(c, 'counter');
      expect(final?.value.count).toBe(workers * increments);
      expect(Object.values(final?.value.by ?? {})).toEqual(Array(workers).fill(increments));
      expect(attempts.length).toBeGreaterThanOrEqual(workers * increments);
    });

    it('N workers racing a create-only put: exactly one wins, the others get ConflictError', async () => {
      const c = 'create-race';
      for (const round of [0, 1, 2]) {
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, worker) =>
            store.put(c, `decision-${round}`, { worker }, { expectedVersion: null }),
          ),
        );
        const winners = results.filter((r) => r.status === 'fulfilled');
        const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(9);
        for (const loser of losers) expect(loser.reason).toBeInstanceOf(ConflictError);
        const stored = await store.get(c, `decision-${round}`);
        expect(stored).toEqual((winners[0] as PromiseFulfilledResult<StoredItem<unknown>>).value);
      }
    });

    it('N workers racing a compare-and-swap on one version: exactly one wins', async () => {
      const c = 'cas-race';
      const base = await store.put(c, 'k', { winner: null as number | null });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, worker) =>
          store.put(c, 'k', { winner: worker }, { expectedVersion: base.version }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    });

    it('getMany reads several keys at once: missing keys absent, a repeated key read once', async () => {
      const c = 'get-many';
      expect((await store.getMany(c, [])).size).toBe(0);
      const keys = Array.from({ length: 130 }, (_, i) => `k|${String(i).padStart(3, '0')}/é`);
      for (const key of keys.slice(0, 120)) await store.put(c, key, { key });
      const found = await store.getMany<{ key: string }>(c, [...keys, keys[0] as string, 'absent']);
      expect(found.size).toBe(120);
      for (const key of keys.slice(0, 120)) {
        expect(found.get(key)?.value).toEqual({ key });
        expect(found.get(key)).toEqual(await store.get(c, key));
      }
      expect(found.has('absent')).toBe(false);
      expect(found.has(keys[125] as string)).toBe(false);
    });

    it('putMany upserts many items (several partitions, more than one chunk), a repeated key keeps its last value', async () => {
      const c = 'put-many';
      await store.putMany(c, []);
      await store.put(c, 'a|existing', { n: 0 });
      const items = Array.from({ length: 260 }, (_, i) => ({
        key: `${String.fromCharCode(97 + (i % 7))}|${String(i).padStart(4, '0')}`,
        value: { n: i, text: 'x'.repeat(i % 50) },
      }));
      await store.putMany<unknown>(c, [
        ...items,
        { key: 'a|existing', value: { n: 1 } },
        { key: 'a|existing', value: { n: 2 } },
        { key: 'expiring', value: { n: 3 }, expiresAt: Date.now() - 1000 },
      ]);
      for (const item of items) expect((await store.get(c, item.key))?.value).toEqual(item.value);
      expect((await store.get(c, 'a|existing'))?.value).toEqual({ n: 2 });
      let listed = 0;
      let cursor: string | undefined;
      do {
        const page = await store.list(c, { limit: 1000, ...(cursor ? { cursor } : {}) });
        listed += page.items.length;
        cursor = page.cursor;
      } while (cursor);
      expect(listed).toBe(262);
      expect(await store.purgeExpired(c, Date.now())).toBe(1);
      // A later put still works with the version putMany left.
      const current = await store.get(c, 'a|existing');
      await store.put(c, 'a|existing', { n: 4 }, { expectedVersion: current?.version ?? null });
      await expect(store.putMany(c, [{ key: '', value: 1 }])).rejects.toBeInstanceOf(StoreUsageError);
    });

    it('updateItem leaves the document unchanged when mutate returns undefined', async () => {
      const c = 'update-noop';
      expect(await updateItem(store, c, 'k', () => undefined)).toBeUndefined();
      expect(await store.get(c, 'k')).toBeUndefined();
      const created = await updateItem<number>(store, c, 'k', () => 1);
      expect(await updateItem<number>(store, c, 'k', () => undefined)).toEqual(created);
    });
  });
}

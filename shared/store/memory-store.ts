/**
 * An in-process StateStore: for unit tests of the engine and for one-shot CLI runs. Same contract
 * (and same contract suite) as the durable adapters.
 */
import {
  assertCollection,
  assertKey,
  type BatchPut,
  ConflictError,
  type ListOptions,
  type ListPage,
  type PutOptions,
  type StateStore,
  type StoredItem,
  toJsonText,
} from './ports.ts';

interface Entry {
  version: number;
  json: string;
  expiresAt: number | undefined;
}

type Collections = Map<string, Map<string, Entry>>;

function openCollection(collections: Collections, collection: string): Map<string, Entry> {
  assertCollection(collection);
  let entries = collections.get(collection);
  if (!entries) {
    entries = new Map();
    collections.set(collection, entries);
  }
  return entries;
}

function toItem<T>(key: string, entry: Entry): StoredItem<T> {
  return { key, version: String(entry.version), value: JSON.parse(entry.json) as T };
}

/** Create-only (`expectedVersion` null), compare-and-swap (a version) or upsert; bumps the version. */
function putEntry<T>(
  entries: Map<string, Entry>,
  collection: string,
  key: string,
  value: T,
  options: PutOptions,
): StoredItem<T> {
  const current = entries.get(key);
  if (options.expectedVersion === null && current) throw new ConflictError(collection, key);
  if (typeof options.expectedVersion === 'string' && String(current?.version) !== options.expectedVersion) {
    throw new ConflictError(collection, key);
  }
  const entry: Entry = {
    version: (current?.version ?? 0) + 1,
    json: toJsonText(collection, key, value),
    expiresAt: options.expiresAt,
  };
  entries.set(key, entry);
  return toItem<T>(key, entry);
}

function deleteEntry(
  entries: Map<string, Entry>,
  collection: string,
  key: string,
  expectedVersion: string | undefined,
): boolean {
  const current = entries.get(key);
  if (!current) {
    if (expectedVersion !== undefined) throw new ConflictError(collection, key);
    return false;
  }
  if (expectedVersion !== undefined && String(current.version) !== expectedVersion) {
    throw new ConflictError(collection, key);
  }
  entries.delete(key);
  return true;
}

/** One page of keys in code-unit order, after the cursor, with the prefix. */
function listEntries<T>(entries: Map<string, Entry>, options: ListOptions): ListPage<T> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const prefix = options.prefix ?? '';
  const keys = [...entries.keys()]
    .filter((key) => key.startsWith(prefix) && (options.cursor === undefined || key > options.cursor))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const page = keys.slice(0, limit);
  const items = page.flatMap((key) => {
    const entry = entries.get(key);
    return entry ? [toItem<T>(key, entry)] : [];
  });
  const last = page[page.length - 1];
  return keys.length > limit && last !== undefined ? { items, cursor: last } : { items };
}

export function createMemoryStore(): StateStore {
  const collections: Collections = new Map();
  const table = (collection: string) => openCollection(collections, collection);
  return {
    kind: 'memory',
    async get<T>(collection: string, key: string) {
      assertKey(key);
      const entry = table(collection).get(key);
      return entry ? toItem<T>(key, entry) : undefined;
    },
    async getMany<T>(collection: string, keys: readonly string[]) {
      const entries = table(collection);
      const found = new Map<string, StoredItem<T>>();
      for (const key of keys) {
        assertKey(key);
        const entry = entries.get(key);
        if (entry) found.set(key, toItem<T>(key, entry));
      }
      return found;
    },
    async put<T>(collection: string, key: string, value: T, options: PutOptions = {}) {
      assertKey(key);
      return putEntry(table(collection), collection, key, value, options);
    },
    async putMany<T>(collection: string, items: readonly BatchPut<T>[]) {
      const entries = table(collection);
      // Checked first, so a bad item leaves the batch unapplied (all or nothing).
      for (const item of items) {
        assertKey(item.key);
        toJsonText(collection, item.key, item.value);
      }
      for (const item of items) {
        putEntry(
          entries,
          collection,
          item.key,
          item.value,
          item.expiresAt === undefined ? {} : { expiresAt: item.expiresAt },
        );
      }
    },
    async delete(collection: string, key: string, options: { expectedVersion?: string } = {}) {
      assertKey(key);
      return deleteEntry(table(collection), collection, key, options.expectedVersion);
    },
    async list<T>(collection: string, options: ListOptions = {}): Promise<ListPage<T>> {
      return listEntries<T>(table(collection), options);
    },
    async purgeExpired(collection: string, now: number) {
      let purged = 0;
      for (const [key, entry] of table(collection)) {
        if (entry.expiresAt !== undefined && entry.expiresAt < now) {
          table(collection).delete(key);
          purged++;
        }
      }
      return purged;
    },
    async close() {
      collections.clear();
    },
  };
}

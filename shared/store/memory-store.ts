/**
 * An in-process StateStore: for unit tests of the engine and for one-shot CLI runs. Same contract
 * (and same contract suite) as the durable adapters.
 */
import {
  assertCollection,
  assertKey,
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

export function createMemoryStore(): StateStore {
  const collections = new Map<string, Map<string, Entry>>();
  const table = (collection: string) => {
    assertCollection(collection);
    let entries = collections.get(collection);
    if (!entries) {
      entries = new Map();
      collections.set(collection, entries);
    }
    return entries;
  };
  const toItem = <T>(key: string, entry: Entry): StoredItem<T> => ({
    key,
    version: String(entry.version),
    value: JSON.parse(entry.json) as T,
  });

  return {
    kind: 'memory',
    async get<T>(collection: string, key: string) {
      assertKey(key);
      const entry = table(collection).get(key);
      return entry ? toItem<T>(key, entry) : undefined;
    },
    async put<T>(collection: string, key: string, value: T, options: PutOptions = {}) {
      assertKey(key);
      const entries = table(collection);
      const current = entries.get(key);
      if (options.expectedVersion === null && current) throw new ConflictError(collection, key);
      if (
        typeof options.expectedVersion === 'string' &&
        String(current?.version) !== options.expectedVersion
      ) {
        throw new ConflictError(collection, key);
      }
      const entry: Entry = {
        version: (current?.version ?? 0) + 1,
        json: toJsonText(collection, key, value),
        expiresAt: options.expiresAt,
      };
      entries.set(key, entry);
      return toItem<T>(key, entry);
    },
    async delete(collection: string, key: string, options: { expectedVersion?: string } = {}) {
      assertKey(key);
      const entries = table(collection);
      const current = entries.get(key);
      if (!current) {
        if (options.expectedVersion !== undefined) throw new ConflictError(collection, key);
        return false;
      }
      if (options.expectedVersion !== undefined && String(current.version) !== options.expectedVersion) {
        throw new ConflictError(collection, key);
      }
      entries.delete(key);
      return true;
    },
    async list<T>(collection: string, options: ListOptions = {}): Promise<ListPage<T>> {
      const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
      const prefix = options.prefix ?? '';
      const keys = [...table(collection).keys()]
        .filter((key) => key.startsWith(prefix) && (options.cursor === undefined || key > options.cursor))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const page = keys.slice(0, limit);
      const entries = table(collection);
      const items = page.flatMap((key) => {
        const entry = entries.get(key);
        return entry ? [toItem<T>(key, entry)] : [];
      });
      const last = page[page.length - 1];
      return keys.length > limit && last !== undefined ? { items, cursor: last } : { items };
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

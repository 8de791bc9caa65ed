/**
 * The storage ports. Every backend (memory, embedded SQLite, Azure Table Storage, DynamoDB) offers
 * the same small contract — versioned JSON documents with single-document conditional writes —
 * because that is what all of them can do atomically (ETag / condition expressions / transactions).
 * The engine and the outbox are designed so that every decision is one conditional write on one
 * document, and every side record has a deterministic key (idempotent on retry).
 *
 * One shared contract suite (test/shared/store/state-store-contract.ts) runs against every adapter.
 */

/** Collection names are lower-case kebab words; keys are any non-empty string up to 512 characters. */
export const COLLECTION_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const MAX_KEY_LENGTH = 512;

export interface StoredItem<T> {
  readonly key: string;
  /** Opaque version token (ETag, counter): pass it back as `expectedVersion` for optimistic concurrency. */
  readonly version: string;
  readonly value: T;
}

export interface PutOptions {
  /**
   * `null`: the write succeeds only if the item does not exist (create).
   * a version: the write succeeds only if the item still has that version (update).
   * `undefined`: unconditional upsert.
   */
  readonly expectedVersion?: string | null;
  /** Epoch milliseconds after which retention may delete the item. */
  readonly expiresAt?: number;
}

export interface ListOptions {
  /** Only keys that start with this prefix. */
  readonly prefix?: string;
  /** At most this many items per page (adapters may return fewer). Default 100, max 1000. */
  readonly limit?: number;
  /** The cursor from the previous page. */
  readonly cursor?: string;
}

export interface ListPage<T> {
  /** Ascending by key (code-unit order). */
  readonly items: StoredItem<T>[];
  /** Present when more items follow. */
  readonly cursor?: string;
}

/** One item of a `putMany` batch. */
export interface BatchPut<T> {
  readonly key: string;
  readonly value: T;
  /** Epoch milliseconds after which retention may delete the item. */
  readonly expiresAt?: number;
}

export interface StateStore {
  readonly kind: string;
  get<T>(collection: string, key: string): Promise<StoredItem<T> | undefined>;
  /**
   * Several items of one collection by key, in as few round trips as the backend allows (SQLite: one
   * query; DynamoDB: BatchGetItem, 100 keys each; Azure Table: parallel point reads). Keys not found
   * are absent from the map; a key asked twice is read once.
   */
  getMany<T>(collection: string, keys: readonly string[]): Promise<Map<string, StoredItem<T>>>;
  /**
   * Unconditional upserts of several items of one collection, in as few round trips as the backend
   * allows (SQLite: one transaction; Azure Table: one batch transaction per partition, 100 operations
   * each; DynamoDB: BatchWriteItem, 25 each, unprocessed items retried). All-or-nothing only on
   * SQLite and memory: use it for idempotent writes (deterministic keys), so a partial batch after a
   * failure is completed by the retry. A key given twice keeps its last value.
   */
  putMany<T>(collection: string, items: readonly BatchPut<T>[]): Promise<void>;
  /** Throws ConflictError when `expectedVersion` does not hold. Values must be JSON-serializable. */
  put<T>(collection: string, key: string, value: T, options?: PutOptions): Promise<StoredItem<T>>;
  /** Returns false when there was nothing to delete; throws ConflictError on a version mismatch. */
  delete(collection: string, key: string, options?: { readonly expectedVersion?: string }): Promise<boolean>;
  list<T>(collection: string, options?: ListOptions): Promise<ListPage<T>>;
  /** Deletes items whose expiresAt is before `now`; returns how many. */
  purgeExpired(collection: string, now: number): Promise<number>;
  close(): Promise<void>;
}

/** A conditional write lost: someone else changed (or created) the item first. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    readonly collection: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`conflicting write to ${collection}/${key}`, options);
  }
}

/** The backend cannot be reached or refused the operation: callers answer 503 and retry later. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad collection name, key or value: a programming error, never retried. */
export class StoreUsageError extends Error {
  override name = 'StoreUsageError';
}

export function assertCollection(collection: string): void {
  if (!COLLECTION_PATTERN.test(collection))
    throw new StoreUsageError(`invalid collection name "${collection}"`);
}

export function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new StoreUsageError(`invalid key: must be 1..${MAX_KEY_LENGTH} characters`);
  }
}

/** The page size a `list` call uses: `limit` clamped to 1..1000, 100 when absent or not a number. */
export function resolveListLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return 100;
  return Math.min(Math.max(Math.floor(limit), 1), 1000);
}

/** The JSON text stored for a value; StoreUsageError when the value has none (undefined, a function, a BigInt, a cycle). */
export function toJsonText(collection: string, key: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new StoreUsageError(`value for ${collection}/${key} is not JSON-serializable`, { cause: error });
  }
  if (json === undefined)
    throw new StoreUsageError(`value for ${collection}/${key} is not JSON-serializable`);
  return json;
}

/**
 * Read-modify-write with optimistic concurrency: `mutate` gets the current value (or undefined) and
 * returns the next value, or undefined to leave the item unchanged. On a conflict it re-reads and
 * tries again, up to `maxAttempts`.
 */
export async function updateItem<T>(
  store: StateStore,
  collection: string,
  key: string,
  mutate: (current: T | undefined) => T | undefined,
  options: { readonly maxAttempts?: number; readonly expiresAt?: number } = {},
): Promise<StoredItem<T> | undefined> {
  const maxAttempts = options.maxAttempts ?? 20;
  for (let attempt = 1; ; attempt++) {
    const current = await store.get<T>(collection, key);
    const next = mutate(current?.value);
    if (next === undefined) return current;
    try {
      return await store.put(collection, key, next, {
        expectedVersion: current ? current.version : null,
        ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
      });
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= maxAttempts) throw error;
    }
  }
}

/** Content-addressed storage of raw inputs, probe evidence and delivery receipts. */
export interface EvidenceRecord {
  /** `sha256:<hex>` of the bytes. */
  readonly contentHash: string;
  readonly bytes: number;
  readonly contentType: string;
  /** ISO UTC time the evidence was first stored. */
  readonly receivedAt: string;
  /** What it is: `input:azure-monitor-common`, `probe:<targetId>`, `delivery:<sink>` … */
  readonly kind: string;
}

export interface EvidenceArchive {
  readonly kind: string;
  /** Stores the bytes under their hash; storing the same bytes again is a no-op that returns the first record. */
  put(
    bytes: Uint8Array,
    meta: { readonly contentType: string; readonly kind: string },
  ): Promise<EvidenceRecord>;
  /**
   * Several puts at once, in as few round trips / syncs as the backend allows (the inbox drain
   * archives a whole batch of inputs): the records in the order given, each as `put` would return it.
   */
  putMany(
    items: readonly {
      readonly bytes: Uint8Array;
      readonly contentType: string;
      readonly kind: string;
    }[],
  ): Promise<EvidenceRecord[]>;
  get(
    contentHash: string,
  ): Promise<{ readonly record: EvidenceRecord; readonly bytes: Uint8Array } | undefined>;
  /** Deletes evidence first stored before `cutoff` (retention); returns how many. */
  purgeBefore(cutoff: Date): Promise<number>;
}

/**
 * The inbox: where a webhook input becomes durable before the ingress answers 202. An entry is the
 * raw body plus where it came from; its id is the sha256 of the body, so a redelivered payload (the
 * action group retries, two subscriptions sending the very same bytes) is stored once.
 *
 * The body is kept byte for byte: as text when the bytes are valid UTF-8 (nearly always), else as
 * base64 with `bodyEncoding: 'base64'`, so a body with invalid UTF-8 (a Latin-1 "é") is stored, and
 * later archived as evidence, exactly as received. Read it with `readInboxEntryBytes` /
 * `readInboxEntryText`, never from `body` directly.
 *
 * `createStoreInbox` keeps entries in any StateStore (collection `inbox`): one conditional create per
 * entry. The SQLite group-commit inbox (sqlite-inbox.ts) offers the same `InboxQueue` contract with
 * many puts per transaction.
 */
import { isUtf8 } from 'node:buffer';
import { computeContentHash } from '../store/evidence-address.ts';
import { ConflictError, type StateStore } from '../store/ports.ts';

export const INBOX_COLLECTION = 'inbox';

export interface InboxEntry {
  /** `sha256:<hex>` of the body bytes. */
  readonly id: string;
  /** ISO UTC time the ingress accepted it. */
  readonly receivedAt: string;
  /**
   * The body: its UTF-8 text when the bytes are valid UTF-8, else (with `bodyEncoding: 'base64'`)
   * the base64 of the bytes. Either way `readInboxEntryBytes` gives back exactly what was received.
   */
  readonly body: string;
  /** Set only when the bytes are not valid UTF-8: `body` is then their base64. */
  readonly bodyEncoding?: 'base64';
  /** The route that accepted it: `service-health`, `webhook`, … */
  readonly source: string;
  readonly contentType: string;
}

/** What the ingress needs: `put` resolves only once the entry is durable; it rejects otherwise. */
export interface Inbox {
  put(entry: InboxEntry): Promise<void>;
}

export type InboxEntryState = 'pending' | 'processed' | 'failed';

export interface StoredInboxEntry extends InboxEntry {
  readonly state: InboxEntryState;
  /** ISO UTC, when processed or failed. */
  readonly settledAt: string | null;
  /** Why processing failed (a one-line message, no secrets). */
  readonly error: string | null;
}

/** The consumer side: what the pipeline drains. */
export interface InboxQueue extends Inbox {
  /** Several entries, each durable when the promise resolves (one transaction where the backend can). */
  putMany(entries: readonly InboxEntry[]): Promise<void>;
  /** Pending entries, oldest first, at most `limit` (default 100). */
  listPending(limit?: number): Promise<InboxEntry[]>;
  /** Marks an entry processed (or failed with a reason); a later put of the same id stays settled. */
  markProcessed(id: string, at: Date, error?: string): Promise<void>;
  /** How many entries are still pending. */
  countPending(): Promise<number>;
}

/** The inbox's backend refused or failed: the ingress answers 503 (the sender retries). */
export class InboxUnavailableError extends Error {
  override name = 'InboxUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `sha256:<hex>` of the body bytes: the entry id. */
export function computeInboxId(body: Uint8Array | string): string {
  return computeContentHash(body);
}

/** How bytes are kept in an entry: text when they are valid UTF-8 (lossless), else base64. */
export function encodeInboxBody(bytes: Uint8Array): Pick<InboxEntry, 'body' | 'bodyEncoding'> {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(view)
    ? { body: view.toString('utf8') }
    : { body: view.toString('base64'), bodyEncoding: 'base64' };
}

/** The body bytes exactly as received (what the id hashes and the evidence archive keeps). */
export function readInboxEntryBytes(entry: Pick<InboxEntry, 'body' | 'bodyEncoding'>): Buffer {
  return Buffer.from(entry.body, entry.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/** The body as text for parsing: invalid UTF-8 sequences become U+FFFD. */
export function readInboxEntryText(entry: Pick<InboxEntry, 'body' | 'bodyEncoding'>): string {
  return entry.bodyEncoding === 'base64' ? readInboxEntryBytes(entry).toString('utf8') : entry.body;
}

export function createInboxEntry(
  body: Uint8Array,
  meta: { readonly source: string; readonly contentType: string; readonly receivedAt: Date },
): InboxEntry {
  return {
    id: computeInboxId(body),
    receivedAt: meta.receivedAt.toISOString(),
    ...encodeInboxBody(body),
    source: meta.source,
    contentType: meta.contentType,
  };
}

/**
 * Store keys sort pending entries by arrival: `<receivedAt>|<id>`; a small index document per id
 * (`id:<id>`) makes a redelivery a no-op and finds the entry to settle.
 */
function toEntryKey(entry: InboxEntry): string {
  return `q:${entry.receivedAt}|${entry.id}`;
}

export interface StoreInboxOptions {
  /** Settled entries are kept this long before retention may delete them (default 7 days). */
  readonly retentionMs?: number;
}

/** Stores one entry once: an entry whose id document exists is already durable (pending or settled). */
async function putStoreEntry(store: StateStore, entry: InboxEntry): Promise<void> {
  try {
    // The id document first: when it exists, the same body is already durable (pending or settled).
    await store.put(
      INBOX_COLLECTION,
      `id:${entry.id}`,
      { key: toEntryKey(entry) },
      { expectedVersion: null },
    );
  } catch (error) {
    if (error instanceof ConflictError) return;
    throw new InboxUnavailableError('the inbox could not store the entry', { cause: error });
  }
  const stored: StoredInboxEntry = { ...entry, state: 'pending', settledAt: null, error: null };
  try {
    await store.put(INBOX_COLLECTION, toEntryKey(entry), stored);
  } catch (error) {
    // Undo the id document so the sender's retry is not taken for a duplicate.
    await store.delete(INBOX_COLLECTION, `id:${entry.id}`).catch(() => undefined);
    throw new InboxUnavailableError('the inbox could not store the entry', { cause: error });
  }
}

/** Every queued entry (pending and settled), in arrival order, page by page. */
async function* readQueuedEntries(store: StateStore): AsyncGenerator<StoredInboxEntry> {
  let cursor: string | undefined;
  do {
    const page = await store.list<StoredInboxEntry>(INBOX_COLLECTION, {
      prefix: 'q:',
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const item of page.items) yield item.value;
    cursor = page.cursor;
  } while (cursor);
}

async function listPendingStoreEntries(store: StateStore, limit: number): Promise<InboxEntry[]> {
  const found: InboxEntry[] = [];
  for await (const stored of readQueuedEntries(store)) {
    if (stored.state !== 'pending') continue;
    const { state: _state, settledAt: _settledAt, error: _error, ...entry } = stored;
    found.push(entry);
    if (found.length >= limit) return found;
  }
  return found;
}

/** Settles a pending entry (processed, or failed with its error); both documents expire after retention. */
async function settleStoreEntry(
  store: StateStore,
  retentionMs: number,
  id: string,
  at: Date,
  error: string | undefined,
): Promise<void> {
  const index = await store.get<{ key: string }>(INBOX_COLLECTION, `id:${id}`);
  if (!index) return;
  const current = await store.get<StoredInboxEntry>(INBOX_COLLECTION, index.value.key);
  if (current?.value.state !== 'pending') return;
  const expiresAt = at.getTime() + retentionMs;
  await store.put<StoredInboxEntry>(
    INBOX_COLLECTION,
    index.value.key,
    {
      ...current.value,
      state: error === undefined ? 'processed' : 'failed',
      settledAt: at.toISOString(),
      error: error ?? null,
    },
    { expectedVersion: current.version, expiresAt },
  );
  await store.put(INBOX_COLLECTION, `id:${id}`, index.value, { expiresAt });
}

async function countPendingStoreEntries(store: StateStore): Promise<number> {
  let count = 0;
  for await (const stored of readQueuedEntries(store)) if (stored.state === 'pending') count++;
  return count;
}

export function createStoreInbox(store: StateStore, options: StoreInboxOptions = {}): InboxQueue {
  const retentionMs = options.retentionMs ?? 7 * 24 * 60 * 60_000;
  return {
    put: (entry) => putStoreEntry(store, entry),
    async putMany(entries) {
      for (const entry of entries) await putStoreEntry(store, entry);
    },
    listPending: (limit = 100) => listPendingStoreEntries(store, limit),
    markProcessed: (id, at, error) => settleStoreEntry(store, retentionMs, id, at, error),
    countPending: () => countPendingStoreEntries(store),
  };
}

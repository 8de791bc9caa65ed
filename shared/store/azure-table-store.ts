/**
 * The Azure Table Storage StateStore (`@azure/data-tables`, imported on first use: ~160 ms).
 *
 * Entity layout (one table for every collection):
 * - PartitionKey = the collection name (already RowKey-safe: `[a-z][a-z0-9-]*`); each collection is
 *   one partition, so its keys are ordered and listed by RowKey range queries.
 * - RowKey = the document key, encoded by azure-row-key.ts (no reserved characters, order and
 *   prefix preserving); the encoded key must fit the 512-character RowKey limit.
 * - `b0`, `b1`, … the JSON text in chunks of at most 32,000 UTF-16 code units (a string property holds
 *   64 KiB), with `parts` = their count; at most 15 parts (480,000 characters) so the entity stays
 *   under the 1 MiB entity limit. `expiresAt` (Int64, epoch ms) when the document expires.
 * - version = the entity's ETag. create-only = createEntity (409 when it exists), compare-and-swap =
 *   updateEntity in Replace mode with the ETag (412 when stale, 404 when gone): all three are
 *   ConflictError. Upsert = upsertEntity in Replace mode (stale chunks and expiry disappear).
 * - getMany: Table Storage has no batch read, so point reads, 16 in flight. putMany: the same
 *   entities as `put` (chunked body, expiry), deduplicated by RowKey (a transaction may not touch an
 *   entity twice; the last value given wins), grouped by PartitionKey and sent as `submitTransaction`
 *   batches of `upsert` (Replace) actions — at most 100 actions and an estimated 3.5 MiB each (the
 *   service takes 4 MiB per transaction) — 8 transactions in flight. A lone entity, or one too large
 *   to share a transaction, is a plain upsertEntity. Each transaction is atomic, the whole call is not.
 *
 * Errors: 4xx request problems → StoreUsageError; 5xx, 401/403, throttling and network failures →
 * StoreUnavailableError. Messages name the table and status, never the connection string.
 */
import type { TableClient, TableEntity } from '@azure/data-tables';
import { decodeRowKey, encodeRowKey, MAX_ROW_KEY_LENGTH, toRowKeyUpperBound } from './azure-row-key.ts';
import {
  assertCollection,
  assertKey,
  type BatchPut,
  ConflictError,
  type ListOptions,
  type ListPage,
  type PutOptions,
  resolveListLimit,
  type StateStore,
  type StoredItem,
  StoreUnavailableError,
  StoreUsageError,
  toJsonText,
} from './ports.ts';
import { runBounded } from './run-batches.ts';

export interface AzureTableStoreOptions {
  /** A storage account connection string (account key or SAS). Never logged. */
  readonly connectionString: string;
  /** 3–63 letters and digits, starting with a letter. */
  readonly tableName: string;
  /** Create the table on first use when missing. Default true. */
  readonly createTable?: boolean;
  /** Allow http:// endpoints. Default: only for loopback endpoints (Azurite). */
  readonly allowInsecureConnection?: boolean;
}

type Sdk = typeof import('@azure/data-tables');
type Entity = TableEntity<Record<string, unknown>> & { etag?: string };

const CHUNK_CHARS = 32_000;
const MAX_PARTS = 15;
const TABLE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
/** Point reads in flight for one getMany. */
const GET_MANY_CONCURRENCY = 16;
/** Transactions (or lone upserts) in flight for one putMany. */
const PUT_MANY_CONCURRENCY = 8;
/** The service's limits for one entity group transaction: 100 operations and a 4 MiB payload. */
const MAX_TRANSACTION_ACTIONS = 100;
const MAX_TRANSACTION_BYTES = 3.5 * 1024 * 1024;

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

function isLoopbackHttp(connectionString: string): boolean {
  const endpoint = /(?:^|;)\s*TableEndpoint=([^;]+)/i.exec(connectionString)?.[1] ?? '';
  return /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i.test(endpoint.trim());
}

function splitBody(collection: string, key: string, json: string): Record<string, string | number> {
  const parts: string[] = [];
  for (let start = 0; start < json.length; ) {
    let end = Math.min(start + CHUNK_CHARS, json.length);
    // Never split a surrogate pair across two properties.
    const lastUnit = json.charCodeAt(end - 1);
    if (end < json.length && lastUnit >= 0xd800 && lastUnit <= 0xdbff) end--;
    parts.push(json.slice(start, end));
    start = end;
  }
  if (parts.length > MAX_PARTS) {
    throw new StoreUsageError(
      `value for ${collection}/${key} is too large for Azure Table Storage (${json.length} characters)`,
    );
  }
  const properties: Record<string, string | number> = { parts: parts.length };
  parts.forEach((part, index) => {
    properties[`b${index}`] = part;
  });
  return properties;
}

function joinBody(entity: Entity): string {
  const parts = typeof entity.parts === 'number' ? entity.parts : 0;
  let json = '';
  for (let index = 0; index < parts; index++) {
    const part = entity[`b${index}`];
    if (typeof part !== 'string') throw new StoreUnavailableError(`Azure Table entity lacks chunk b${index}`);
    json += part;
  }
  if (parts === 0) throw new StoreUnavailableError('Azure Table entity has no body');
  return json;
}

/** Store errors pass through; others name the table, the code and the status (never the connection string). */
function toStoreError(error: unknown, tableName: string, action: string): Error {
  if (
    error instanceof ConflictError ||
    error instanceof StoreUsageError ||
    error instanceof StoreUnavailableError
  ) {
    return error;
  }
  const status = statusOf(error);
  const code = codeOf(error);
  const detail = [code, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ');
  const message = `Azure Table ${action} on table ${tableName} failed${detail ? `: ${detail}` : ''}`;
  if (status === 400 || status === 413) return new StoreUsageError(message, { cause: error });
  return new StoreUnavailableError(message, { cause: error });
}

interface TableConnection {
  readonly sdk: Sdk;
  readonly client: TableClient;
}

/** Loads the SDK, opens the client and (unless told not to) creates the table when missing. */
async function openTableConnection(options: AzureTableStoreOptions): Promise<TableConnection> {
  const { tableName } = options;
  const sdk = await import('@azure/data-tables');
  let client: TableClient;
  try {
    client = sdk.TableClient.fromConnectionString(options.connectionString, tableName, {
      allowInsecureConnection: options.allowInsecureConnection ?? isLoopbackHttp(options.connectionString),
    });
  } catch (error) {
    // The SDK's message may quote the connection string: keep only that it was malformed.
    throw new StoreUsageError('invalid Azure Storage connection string', {
      cause: new Error(codeOf(error) ?? 'parse error'),
    });
  }
  if (options.createTable ?? true) {
    try {
      await client.createTable();
    } catch (error) {
      if (statusOf(error) !== 409) throw toStoreError(error, tableName, 'create table');
    }
  }
  return { sdk, client };
}

function toRowKey(key: string): string {
  const rowKey = encodeRowKey(key);
  if (rowKey.length > MAX_ROW_KEY_LENGTH) {
    throw new StoreUsageError(
      `key is too long for Azure Table Storage once encoded (${rowKey.length} > ${MAX_ROW_KEY_LENGTH})`,
    );
  }
  return rowKey;
}

function toItem<T>(entity: Entity): StoredItem<T> {
  if (typeof entity.etag !== 'string') throw new StoreUnavailableError('Azure Table entity has no ETag');
  return {
    key: decodeRowKey(entity.rowKey ?? ''),
    version: entity.etag,
    value: JSON.parse(joinBody(entity)) as T,
  };
}

async function readEntity<T>(
  client: TableClient,
  collection: string,
  rowKey: string,
): Promise<StoredItem<T> | undefined> {
  try {
    return toItem<T>((await client.getEntity(collection, rowKey)) as Entity);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** The entity to write: the JSON in chunks, and `expiresAt` (Int64) when the document expires. */
function toEntity(
  collection: string,
  key: string,
  rowKey: string,
  json: string,
  expiresAt: number | undefined,
): Entity {
  const entity: Entity = { partitionKey: collection, rowKey, ...splitBody(collection, key, json) };
  if (expiresAt !== undefined) {
    entity.expiresAt = { value: String(Math.floor(expiresAt)), type: 'Int64' };
  }
  return entity;
}

/**
 * An estimate of an entity's share of a transaction's payload: its JSON, the URL naming it (the keys
 * percent-encoded) and the part's headers. Generous: it only decides how entities are grouped.
 */
function estimateTransactionBytes(entity: Entity): number {
  const url = encodeURIComponent(entity.partitionKey ?? '') + encodeURIComponent(entity.rowKey ?? '');
  return Buffer.byteLength(JSON.stringify(entity), 'utf8') + 2 * url.length + 1024;
}

/**
 * The requests of one putMany: per PartitionKey, runs of at most 100 entities within the payload
 * budget; an entity over the budget on its own goes alone (a plain upsert).
 */
function planUpserts(entities: Iterable<Entity>): Entity[][] {
  const partitions = new Map<string, Entity[]>();
  for (const entity of entities) {
    const partitionKey = entity.partitionKey ?? '';
    const group = partitions.get(partitionKey);
    if (group) group.push(entity);
    else partitions.set(partitionKey, [entity]);
  }
  const units: Entity[][] = [];
  for (const group of partitions.values()) {
    let current: Entity[] = [];
    let currentBytes = 0;
    for (const entity of group) {
      const bytes = estimateTransactionBytes(entity);
      if (bytes > MAX_TRANSACTION_BYTES) {
        units.push([entity]);
        continue;
      }
      if (current.length >= MAX_TRANSACTION_ACTIONS || currentBytes + bytes > MAX_TRANSACTION_BYTES) {
        units.push(current);
        current = [];
        currentBytes = 0;
      }
      current.push(entity);
      currentBytes += bytes;
    }
    if (current.length > 0) units.push(current);
  }
  return units;
}

/** One unit of a putMany: a transaction of upserts (Replace), or a plain upsert for a lone entity. */
async function upsertEntities(client: TableClient, entities: readonly Entity[]): Promise<void> {
  const [only] = entities;
  if (entities.length === 1 && only) {
    await client.upsertEntity(only, 'Replace');
    return;
  }
  await client.submitTransaction(entities.map((entity) => ['upsert', entity, 'Replace'] as const));
}

/** Create-only, compare-and-swap on the ETag, or upsert (Replace mode); a lost condition is a ConflictError. */
async function writeEntity(
  client: TableClient,
  entity: Entity,
  expected: string | null | undefined,
  collection: string,
  key: string,
): Promise<string | undefined> {
  try {
    if (expected === null) return (await client.createEntity(entity)).etag;
    if (typeof expected === 'string') {
      return (await client.updateEntity(entity, 'Replace', { etag: expected })).etag;
    }
    return (await client.upsertEntity(entity, 'Replace')).etag;
  } catch (error) {
    const status = statusOf(error);
    // 409: created first by someone else; 412: stale ETag; 404: gone; 400 for a malformed ETag.
    const lost =
      (expected === null && status === 409) ||
      (typeof expected === 'string' && (status === 412 || status === 404 || status === 400));
    if (lost) throw new ConflictError(collection, key, { cause: error });
    throw error;
  }
}

/** Deletes one entity, unconditionally or only at the `expected` ETag (a lost condition is a ConflictError). */
async function deleteEntity(
  client: TableClient,
  collection: string,
  key: string,
  rowKey: string,
  expected: string | undefined,
): Promise<boolean> {
  try {
    await client.deleteEntity(collection, rowKey, expected === undefined ? {} : { etag: expected });
    return true;
  } catch (error) {
    const status = statusOf(error);
    if (expected === undefined && status === 404) return false;
    if (expected !== undefined && (status === 404 || status === 412 || status === 400)) {
      throw new ConflictError(collection, key, { cause: error });
    }
    throw error;
  }
}

/** One page by RowKey range: after the cursor (or from the prefix), below the prefix's upper bound. */
async function queryEntities<T>(
  { sdk, client }: TableConnection,
  collection: string,
  limit: number,
  prefix: string,
  after: string | undefined,
): Promise<ListPage<T>> {
  const { odata } = sdk;
  let filter = odata`PartitionKey eq ${collection}`;
  if (after !== undefined && after >= prefix) filter += odata` and RowKey gt ${after}`;
  else if (prefix !== '') filter += odata` and RowKey ge ${prefix}`;
  if (prefix !== '') filter += odata` and RowKey lt ${toRowKeyUpperBound(prefix)}`;
  const rows: Entity[] = [];
  const pages = client
    .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
    .byPage({ maxPageSize: Math.min(limit + 1, 1000) });
  for await (const page of pages) {
    rows.push(...(page as Entity[]));
    if (rows.length > limit) break;
  }
  const items = rows.slice(0, limit).map((row) => toItem<T>(row));
  const last = items[items.length - 1];
  return rows.length > limit && last ? { items, cursor: last.key } : { items };
}

/** Deletes the collection's entities that expired before `now`, each only at the ETag that expired. */
async function purgeExpiredEntities(
  { sdk, client }: TableConnection,
  collection: string,
  now: number,
): Promise<number> {
  const { odata } = sdk;
  // Int64 literal: the `L` suffix matches the Edm.Int64 property.
  const filter = `${odata`PartitionKey eq ${collection}`} and expiresAt lt ${Math.floor(now)}L`;
  const expired: Entity[] = [];
  for await (const entity of client.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) {
    expired.push(entity as Entity);
  }
  let purged = 0;
  for (const entity of expired) {
    try {
      // Only the version that expired: a concurrent rewrite wins over retention.
      await client.deleteEntity(collection, entity.rowKey ?? '', { etag: entity.etag ?? '*' });
      purged++;
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && status !== 412) throw error;
    }
  }
  return purged;
}

export function createAzureTableStore(options: AzureTableStoreOptions): StateStore {
  const { tableName } = options;
  if (!TABLE_NAME_PATTERN.test(tableName)) {
    throw new StoreUsageError(`invalid Azure table name "${tableName}": 3-63 letters and digits`);
  }
  let connection: Promise<TableConnection> | undefined;
  let closed = false;
  const connect = () => {
    if (closed) throw new StoreUsageError('the Azure Table store is closed');
    connection ??= openTableConnection(options);
    // A failed connect (server down at start) is retried on the next call.
    connection.catch(() => {
      connection = undefined;
    });
    return connection;
  };
  const run = async <R>(action: string, work: (client: TableClient) => Promise<R>): Promise<R> => {
    const { client } = await connect();
    try {
      return await work(client);
    } catch (error) {
      throw toStoreError(error, tableName, action);
    }
  };

  return {
    kind: 'azure-table',

    async get<T>(collection: string, key: string) {
      assertCollection(collection);
      assertKey(key);
      const rowKey = toRowKey(key);
      return run('get', (client) => readEntity<T>(client, collection, rowKey));
    },

    async getMany<T>(collection: string, keys: readonly string[]) {
      assertCollection(collection);
      // key → RowKey, each key once, in the order first asked.
      const rowKeys = new Map<string, string>();
      for (const key of keys) {
        assertKey(key);
        if (!rowKeys.has(key)) rowKeys.set(key, toRowKey(key));
      }
      const found = new Map<string, StoredItem<T>>();
      if (rowKeys.size === 0) return found;
      const asked = [...rowKeys];
      const read: (StoredItem<T> | undefined)[] = [];
      await run('get many', (client) =>
        runBounded(asked, GET_MANY_CONCURRENCY, async ([, rowKey], index) => {
          read[index] = await readEntity<T>(client, collection, rowKey);
        }),
      );
      asked.forEach(([key], index) => {
        const item = read[index];
        if (item) found.set(key, item);
      });
      return found;
    },

    async putMany<T>(collection: string, items: readonly BatchPut<T>[]) {
      assertCollection(collection);
      // Every item is checked before anything is sent; a RowKey given twice keeps its last entity.
      const entities = new Map<string, Entity>();
      for (const item of items) {
        assertKey(item.key);
        const rowKey = toRowKey(item.key);
        const json = toJsonText(collection, item.key, item.value);
        entities.set(rowKey, toEntity(collection, item.key, rowKey, json, item.expiresAt));
      }
      if (entities.size === 0) return;
      const units = planUpserts(entities.values());
      await run('put many', (client) =>
        runBounded(units, PUT_MANY_CONCURRENCY, (unit) => upsertEntities(client, unit)),
      );
    },

    async put<T>(collection: string, key: string, value: T, putOptions: PutOptions = {}) {
      assertCollection(collection);
      assertKey(key);
      const rowKey = toRowKey(key);
      const json = toJsonText(collection, key, value);
      const entity = toEntity(collection, key, rowKey, json, putOptions.expiresAt);
      return run('put', async (client): Promise<StoredItem<T>> => {
        const etag = await writeEntity(client, entity, putOptions.expectedVersion, collection, key);
        if (!etag) throw new StoreUnavailableError('Azure Table write returned no ETag');
        return { key, version: etag, value: JSON.parse(json) as T };
      });
    },

    async delete(collection: string, key: string, deleteOptions: { readonly expectedVersion?: string } = {}) {
      assertCollection(collection);
      assertKey(key);
      const rowKey = toRowKey(key);
      return run('delete', (client) =>
        deleteEntity(client, collection, key, rowKey, deleteOptions.expectedVersion),
      );
    },

    async list<T>(collection: string, listOptions: ListOptions = {}): Promise<ListPage<T>> {
      assertCollection(collection);
      const limit = resolveListLimit(listOptions.limit);
      const prefix = encodeRowKey(listOptions.prefix ?? '');
      const after = listOptions.cursor === undefined ? undefined : encodeRowKey(listOptions.cursor);
      return run('list', async (client) =>
        queryEntities<T>({ sdk: (await connect()).sdk, client }, collection, limit, prefix, after),
      );
    },

    async purgeExpired(collection: string, now: number) {
      assertCollection(collection);
      return run('purge', async (client) =>
        purgeExpiredEntities({ sdk: (await connect()).sdk, client }, collection, now),
      );
    },

    async close() {
      closed = true;
      connection = undefined;
    },
  };
}

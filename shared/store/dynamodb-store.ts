/**
 * The DynamoDB StateStore (AWS SDK v3 `@aws-sdk/client-dynamodb`, imported on first use).
 *
 * Table layout (one table for every collection):
 * - `pk` (S, partition key) = the collection name; `sk` (B, sort key) = the document key as UTF-16BE
 *   bytes (key-bytes.ts): DynamoDB compares binary keys byte by byte, which is the port's code-unit
 *   order, and any key of up to 512 code units fits the 1,024-byte sort-key limit.
 * - `v` (N) the version counter; `body` (S) the JSON text, or `bodyz` (B) its gzip when the JSON is
 *   larger than 64 KiB (fewer write units; items are limited to 400 KB).
 * - `expiresAt` (N, epoch ms) for purgeExpired, and `ttl` (N, epoch seconds) for DynamoDB's own TTL,
 *   which deletes expired items in the background (within days) — purgeExpired stays exact.
 *
 * Writes are conditional: create-only = `attribute_not_exists(pk)`, compare-and-swap = `v = :expected`,
 * upsert = an UpdateItem that increments `v`. ConditionalCheckFailedException → ConflictError. Reads
 * are strongly consistent. Lists are Queries (`begins_with` on the sort key for a prefix) paged with
 * ExclusiveStartKey; one DynamoDB partition per collection keeps each collection's keys ordered.
 *
 * getMany = BatchGetItem (strongly consistent), 100 keys a request; putMany = BatchWriteItem, 25
 * PutRequests a request (keys deduplicated, the last value wins: a request may not name a key twice),
 * a few requests in flight. Unprocessed keys and items are re-sent after a short backoff
 * (run-batches.ts). A batch put writes the item exactly as `put` does (body or gzip body, expiry) but
 * cannot increment `v`: it writes a fresh version instead — the current second × 10^6 plus a random
 * 0..999,999 — so a later compare-and-swap works with it, and a reader still holding a version from
 * before the batch put loses its compare-and-swap (the fresh version is never an older one, short
 * of a one-in-a-million draw within the same second). Versions stay below 2^53 until the year 2255.
 */
import { randomInt } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type {
  AttributeValue,
  DynamoDBClient,
  DynamoDBClientConfig,
  KeysAndAttributes,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { decodeKeyBytes, encodeKeyBytes } from './key-bytes.ts';
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
import { runBounded, sendUntilProcessed } from './run-batches.ts';

export interface DynamoDbStoreOptions {
  readonly tableName: string;
  /** DynamoDBClient configuration: region, endpoint (dynalite, DynamoDB Local), credentials, retries. */
  readonly client?: DynamoDBClientConfig;
}

type Sdk = typeof import('@aws-sdk/client-dynamodb');
type Item = Record<string, AttributeValue>;

/** Bodies above this many UTF-8 bytes are stored gzip-compressed. */
const COMPRESS_ABOVE_BYTES = 64 * 1024;
/** DynamoDB's item limit is 400 KB including names and keys; leave room for those. */
const MAX_STORED_BODY_BYTES = 395 * 1024;
/** DynamoDB's request limits: BatchGetItem 100 keys, BatchWriteItem 25 requests. */
const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;
/** Batch requests in flight for one getMany / putMany. */
const BATCH_CONCURRENCY = 4;

const NAMES = {
  '#pk': 'pk',
  '#sk': 'sk',
  '#v': 'v',
  '#body': 'body',
  '#bodyz': 'bodyz',
  '#expiresAt': 'expiresAt',
  '#ttl': 'ttl',
} as const;

function pickNames(expression: string): Record<string, string> {
  return Object.fromEntries(Object.entries(NAMES).filter(([alias]) => expression.includes(alias)));
}

function loadSdk(): Promise<Sdk> {
  return import('@aws-sdk/client-dynamodb');
}

function errorName(error: unknown): string {
  return typeof (error as { name?: unknown })?.name === 'string' ? (error as { name: string }).name : 'Error';
}

/** Anything but a lost condition or a usage error: throttling, 5xx, network, missing table, credentials. */
function toUnavailable(error: unknown, tableName: string, action: string): Error {
  if (error instanceof ConflictError || error instanceof StoreUsageError) return error;
  if (error instanceof StoreUnavailableError) return error;
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return new StoreUnavailableError(
    `DynamoDB ${action} on table ${tableName} failed: ${name}${status ? ` (HTTP ${status})` : ''}`,
    { cause: error },
  );
}

function parseVersion(version: string): number | undefined {
  return /^[1-9][0-9]{0,15}$/.test(version) ? Number(version) : undefined;
}

function encodeBody(collection: string, key: string, json: string): AttributeValue {
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= COMPRESS_ABOVE_BYTES) return { S: json };
  const compressed = gzipSync(json);
  if (compressed.length > MAX_STORED_BODY_BYTES) {
    throw new StoreUsageError(
      `value for ${collection}/${key} is too large for DynamoDB (${compressed.length} bytes compressed)`,
    );
  }
  return { B: compressed };
}

function decodeBody<T>(item: Item): T {
  const compressed = item.bodyz?.B;
  const json = compressed ? gunzipSync(compressed).toString('utf8') : item.body?.S;
  if (json === undefined) throw new StoreUnavailableError('DynamoDB item has no body');
  return JSON.parse(json) as T;
}

function toItem<T>(item: Item): StoredItem<T> {
  const sk = item.sk?.B;
  const version = item.v?.N;
  if (!sk || version === undefined) throw new StoreUnavailableError('DynamoDB item lacks sk or v');
  return { key: decodeKeyBytes(sk), version, value: decodeBody<T>(item) };
}

/** Creates the table (pk S + sk B, on-demand) when missing, waits until ACTIVE and enables TTL on `ttl`. */
export async function ensureDynamoDbTable(options: DynamoDbStoreOptions): Promise<void> {
  const sdk = await loadSdk();
  const client = new sdk.DynamoDBClient(options.client ?? {});
  try {
    try {
      await client.send(
        new sdk.CreateTableCommand({
          TableName: options.tableName,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'B' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceInUseException') throw error;
    }
    for (let attempt = 0; ; attempt++) {
      const described = await client.send(new sdk.DescribeTableCommand({ TableName: options.tableName }));
      if (described.Table?.TableStatus === 'ACTIVE') break;
      if (attempt >= 120)
        throw new StoreUnavailableError(`DynamoDB table ${options.tableName} is not ACTIVE`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    try {
      await client.send(
        new sdk.UpdateTimeToLiveCommand({
          TableName: options.tableName,
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        }),
      );
    } catch (error) {
      // Already enabled (ValidationException), or an emulator without TTL: purgeExpired still works.
      const name = errorName(error);
      if (name !== 'ValidationException' && name !== 'UnknownOperationException') throw error;
    }
  } catch (error) {
    throw toUnavailable(error, options.tableName, 'table setup');
  } finally {
    client.destroy();
  }
}

/** One open table: the SDK module, a client, and the table's name. */
interface DynamoDbTable {
  readonly sdk: Sdk;
  readonly client: DynamoDBClient;
  readonly name: string;
}

function toKeyItem(collection: string, key: string): Item {
  return { pk: { S: collection }, sk: { B: encodeKeyBytes(key) } };
}

function isConditionFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** One strongly consistent read. */
async function getItem<T>(
  table: DynamoDbTable,
  collection: string,
  key: string,
): Promise<StoredItem<T> | undefined> {
  const { sdk, client } = table;
  const result = await client.send(
    new sdk.GetItemCommand({ TableName: table.name, Key: toKeyItem(collection, key), ConsistentRead: true }),
  );
  return result.Item ? toItem<T>(result.Item) : undefined;
}

/** What a put writes: the body attribute (`body` text, or `bodyz` gzip) and when it expires. */
interface BodyWrite {
  readonly body: AttributeValue;
  readonly bodyName: 'body' | 'bodyz';
  readonly expiresAt: number | undefined;
}

function toBodyWrite(
  collection: string,
  key: string,
  json: string,
  expiresAt: number | undefined,
): BodyWrite {
  const body = encodeBody(collection, key, json);
  return { body, bodyName: body.B ? 'bodyz' : 'body', expiresAt };
}

/** The whole item a PutItem (or a batch PutRequest) writes at `version`. */
function toWholeItem(collection: string, key: string, version: string, write: BodyWrite): Item {
  const item: Item = { ...toKeyItem(collection, key), v: { N: version }, [write.bodyName]: write.body };
  if (write.expiresAt !== undefined) {
    item.expiresAt = { N: String(write.expiresAt) };
    item.ttl = { N: String(Math.ceil(write.expiresAt / 1000)) };
  }
  return item;
}

/** The version a batch put writes (it cannot increment): see the header. */
function drawBatchVersion(): string {
  return String(Math.floor(Date.now() / 1000) * 1_000_000 + randomInt(1_000_000));
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}

/** Strongly consistent BatchGetItem requests, 100 keys each, unprocessed keys re-sent: the items found. */
async function batchGetItems(table: DynamoDbTable, keys: readonly Item[]): Promise<Item[]> {
  const { sdk, client, name } = table;
  const found: Item[] = [];
  await runBounded(chunk(keys, BATCH_GET_KEYS), BATCH_CONCURRENCY, (part) =>
    sendUntilProcessed<KeysAndAttributes>(
      { Keys: part, ConsistentRead: true },
      async (request) => {
        const result = await client.send(new sdk.BatchGetItemCommand({ RequestItems: { [name]: request } }));
        found.push(...(result.Responses?.[name] ?? []));
        return result.UnprocessedKeys?.[name];
      },
      (request) => request.Keys?.length ?? 0,
      `DynamoDB BatchGetItem on table ${name}`,
    ),
  );
  return found;
}

/** BatchWriteItem requests, 25 PutRequests each, unprocessed items re-sent. */
async function batchPutItems(table: DynamoDbTable, items: readonly Item[]): Promise<void> {
  const { sdk, client, name } = table;
  const requests: WriteRequest[] = items.map((item) => ({ PutRequest: { Item: item } }));
  await runBounded(chunk(requests, BATCH_WRITE_ITEMS), BATCH_CONCURRENCY, (part) =>
    sendUntilProcessed<WriteRequest[]>(
      part,
      async (request) => {
        const result = await client.send(
          new sdk.BatchWriteItemCommand({ RequestItems: { [name]: request } }),
        );
        return result.UnprocessedItems?.[name];
      },
      (request) => request.length,
      `DynamoDB BatchWriteItem on table ${name}`,
    ),
  );
}

/**
 * A conditional PutItem: create-only (`expected` null) or compare-and-swap on the version; a lost
 * condition is a ConflictError. Returns the new version.
 */
async function putItemIf(
  table: DynamoDbTable,
  collection: string,
  key: string,
  write: BodyWrite,
  expected: string | null,
): Promise<string> {
  const { sdk, client } = table;
  const expectedNumber = expected === null ? 0 : parseVersion(expected);
  if (expectedNumber === undefined) throw new ConflictError(collection, key);
  const item = toWholeItem(collection, key, String(expectedNumber + 1), write);
  const condition = expected === null ? 'attribute_not_exists(#pk)' : '#v = :expected';
  try {
    await client.send(
      new sdk.PutItemCommand({
        TableName: table.name,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeNames: pickNames(condition),
        ...(expected === null ? {} : { ExpressionAttributeValues: { ':expected': { N: expected } } }),
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new ConflictError(collection, key, { cause: error });
    throw error;
  }
  return String(expectedNumber + 1);
}

/** Unconditional upsert: one UpdateItem bumps the version whatever it was. Returns the new version. */
async function upsertItem(
  table: DynamoDbTable,
  collection: string,
  key: string,
  write: BodyWrite,
): Promise<string> {
  const { sdk, client } = table;
  const { bodyName, expiresAt } = write;
  const set = ['#v = if_not_exists(#v, :zero) + :one', `#${bodyName} = :body`];
  const remove = [bodyName === 'body' ? '#bodyz' : '#body'];
  const values: Item = { ':zero': { N: '0' }, ':one': { N: '1' }, ':body': write.body };
  if (expiresAt === undefined) {
    remove.push('#expiresAt', '#ttl');
  } else {
    set.push('#expiresAt = :expiresAt', '#ttl = :ttl');
    values[':expiresAt'] = { N: String(expiresAt) };
    values[':ttl'] = { N: String(Math.ceil(expiresAt / 1000)) };
  }
  const update = `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`;
  const updated = await client.send(
    new sdk.UpdateItemCommand({
      TableName: table.name,
      Key: toKeyItem(collection, key),
      UpdateExpression: update,
      ExpressionAttributeNames: pickNames(update),
      ExpressionAttributeValues: values,
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const version = updated.Attributes?.v?.N;
  if (version === undefined) throw new StoreUnavailableError('DynamoDB upsert returned no version');
  return version;
}

/** Deletes one item, unconditionally or only at `expected` (a lost condition is a ConflictError). */
async function deleteItem(
  table: DynamoDbTable,
  collection: string,
  key: string,
  expected: string | undefined,
): Promise<boolean> {
  const { sdk, client } = table;
  if (expected === undefined) {
    const deleted = await client.send(
      new sdk.DeleteItemCommand({
        TableName: table.name,
        Key: toKeyItem(collection, key),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return deleted.Attributes !== undefined;
  }
  if (parseVersion(expected) === undefined) throw new ConflictError(collection, key);
  try {
    await client.send(
      new sdk.DeleteItemCommand({
        TableName: table.name,
        Key: toKeyItem(collection, key),
        ConditionExpression: '#v = :expected',
        ExpressionAttributeNames: { '#v': 'v' },
        ExpressionAttributeValues: { ':expected': { N: expected } },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) throw new ConflictError(collection, key, { cause: error });
    throw error;
  }
}

/** One list call as a Query: the page size, the key condition and where to start. */
interface ListQuery {
  readonly limit: number;
  readonly prefixBytes: Buffer;
  readonly after: Buffer | undefined;
  readonly condition: string;
  readonly values: Item;
}

function prepareListQuery(collection: string, options: ListOptions): ListQuery {
  const limit = resolveListLimit(options.limit);
  const prefix = options.prefix ?? '';
  const prefixBytes = encodeKeyBytes(prefix);
  const after = options.cursor === undefined ? undefined : encodeKeyBytes(options.cursor);
  const condition = prefix === '' ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)';
  const values: Item = { ':pk': { S: collection } };
  if (prefix !== '') values[':prefix'] = { B: prefixBytes };
  return { limit, prefixBytes, after, condition, values };
}

/** Queries until one item past the page (to know whether a cursor is needed) or the end. */
async function queryItems<T>(
  table: DynamoDbTable,
  collection: string,
  query: ListQuery,
): Promise<ListPage<T>> {
  const { sdk, client } = table;
  const { limit, after, prefixBytes } = query;
  const rows: Item[] = [];
  // A cursor before the prefix range means "from the start of the range".
  let startKey: Item | undefined =
    after !== undefined && Buffer.compare(after, prefixBytes) >= 0
      ? { pk: { S: collection }, sk: { B: after } }
      : undefined;
  do {
    const page = await client.send(
      new sdk.QueryCommand({
        TableName: table.name,
        KeyConditionExpression: query.condition,
        ExpressionAttributeNames: pickNames(query.condition),
        ExpressionAttributeValues: query.values,
        ConsistentRead: true,
        Limit: limit + 1 - rows.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && rows.length <= limit);
  const items = rows.slice(0, limit).map((row) => toItem<T>(row));
  const last = items[items.length - 1];
  return rows.length > limit && last ? { items, cursor: last.key } : { items };
}

/** Deletes the collection's items that expired before `now`, each only at the version that expired. */
async function purgeExpiredItems(table: DynamoDbTable, collection: string, now: number): Promise<number> {
  const { sdk, client } = table;
  let purged = 0;
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new sdk.QueryCommand({
        TableName: table.name,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: '#expiresAt < :now',
        ProjectionExpression: '#sk, #v',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#v': 'v', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':pk': { S: collection }, ':now': { N: String(now) } },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const row of page.Items ?? []) {
      if (!row.sk || !row.v) continue;
      try {
        // Only the version that expired: a concurrent rewrite wins over retention.
        await client.send(
          new sdk.DeleteItemCommand({
            TableName: table.name,
            Key: { pk: { S: collection }, sk: row.sk },
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'v' },
            ExpressionAttributeValues: { ':v': row.v },
          }),
        );
        purged++;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return purged;
}

export function createDynamoDbStore(options: DynamoDbStoreOptions): StateStore {
  const tableName = options.tableName;
  let connection: Promise<DynamoDbTable> | undefined;
  let closed = false;
  const connect = () => {
    if (closed) throw new StoreUsageError('the DynamoDB store is closed');
    connection ??= loadSdk().then((sdk) => ({
      sdk,
      client: new sdk.DynamoDBClient(options.client ?? {}),
      name: tableName,
    }));
    return connection;
  };
  const run = async <R>(action: string, work: (table: DynamoDbTable) => Promise<R>) => {
    const table = await connect();
    try {
      return await work(table);
    } catch (error) {
      throw toUnavailable(error, tableName, action);
    }
  };

  return {
    kind: 'dynamodb',

    async get<T>(collection: string, key: string) {
      assertCollection(collection);
      assertKey(key);
      return run('get', (table) => getItem<T>(table, collection, key));
    },

    async getMany<T>(collection: string, keys: readonly string[]) {
      assertCollection(collection);
      for (const key of keys) assertKey(key);
      const distinct = [...new Set(keys)];
      const found = new Map<string, StoredItem<T>>();
      if (distinct.length === 0) return found;
      const rows = await run('get many', (table) =>
        batchGetItems(
          table,
          distinct.map((key) => toKeyItem(collection, key)),
        ),
      );
      const byKey = new Map(rows.map((row) => toItem<T>(row)).map((item) => [item.key, item]));
      // In the order asked.
      for (const key of distinct) {
        const item = byKey.get(key);
        if (item) found.set(key, item);
      }
      return found;
    },

    async putMany<T>(collection: string, items: readonly BatchPut<T>[]) {
      assertCollection(collection);
      // Every item is checked and encoded before anything is sent; a key given twice keeps its last value.
      const whole = new Map<string, Item>();
      for (const item of items) {
        assertKey(item.key);
        const json = toJsonText(collection, item.key, item.value);
        const write = toBodyWrite(collection, item.key, json, item.expiresAt);
        whole.set(item.key, toWholeItem(collection, item.key, drawBatchVersion(), write));
      }
      if (whole.size === 0) return;
      await run('put many', (table) => batchPutItems(table, [...whole.values()]));
    },

    async put<T>(collection: string, key: string, value: T, putOptions: PutOptions = {}) {
      assertCollection(collection);
      assertKey(key);
      const json = toJsonText(collection, key, value);
      const write = toBodyWrite(collection, key, json, putOptions.expiresAt);
      const expected = putOptions.expectedVersion;
      return run('put', async (table): Promise<StoredItem<T>> => {
        const version =
          expected === undefined
            ? await upsertItem(table, collection, key, write)
            : await putItemIf(table, collection, key, write, expected);
        return { key, version, value: JSON.parse(json) as T };
      });
    },

    async delete(collection: string, key: string, deleteOptions: { readonly expectedVersion?: string } = {}) {
      assertCollection(collection);
      assertKey(key);
      return run('delete', (table) => deleteItem(table, collection, key, deleteOptions.expectedVersion));
    },

    async list<T>(collection: string, listOptions: ListOptions = {}): Promise<ListPage<T>> {
      assertCollection(collection);
      const query = prepareListQuery(collection, listOptions);
      return run('list', (table) => queryItems<T>(table, collection, query));
    },

    async purgeExpired(collection: string, now: number) {
      assertCollection(collection);
      return run('purge', (table) => purgeExpiredItems(table, collection, now));
    },

    async close() {
      closed = true;
      const open = connection;
      connection = undefined;
      if (open) (await open).client.destroy();
    },
  };
}

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
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { decodeKeyBytes, encodeKeyBytes } from './key-bytes.ts';
import {
  assertCollection,
  assertKey,
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

export function createDynamoDbStore(options: DynamoDbStoreOptions): StateStore {
  const tableName = options.tableName;
  let connection: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;
  let closed = false;
  const connect = () => {
    if (closed) throw new StoreUsageError('the DynamoDB store is closed');
    connection ??= loadSdk().then((sdk) => ({ sdk, client: new sdk.DynamoDBClient(options.client ?? {}) }));
    return connection;
  };

  const keyOf = (collection: string, key: string): Item => ({
    pk: { S: collection },
    sk: { B: encodeKeyBytes(key) },
  });

  const run = async <R>(action: string, work: (sdk: Sdk, client: DynamoDBClient) => Promise<R>) => {
    const { sdk, client } = await connect();
    try {
      return await work(sdk, client);
    } catch (error) {
      throw toUnavailable(error, tableName, action);
    }
  };

  const isConditionFailure = (error: unknown) => errorName(error) === 'ConditionalCheckFailedException';

  return {
    kind: 'dynamodb',

    async get<T>(collection: string, key: string) {
      assertCollection(collection);
      assertKey(key);
      return run('get', async (sdk, client) => {
        const result = await client.send(
          new sdk.GetItemCommand({ TableName: tableName, Key: keyOf(collection, key), ConsistentRead: true }),
        );
        return result.Item ? toItem<T>(result.Item) : undefined;
      });
    },

    async put<T>(collection: string, key: string, value: T, putOptions: PutOptions = {}) {
      assertCollection(collection);
      assertKey(key);
      const json = toJsonText(collection, key, value);
      const body = encodeBody(collection, key, json);
      const bodyName = body.B ? 'bodyz' : 'body';
      const expiresAt = putOptions.expiresAt;
      const result = (version: string): StoredItem<T> => ({ key, version, value: JSON.parse(json) as T });
      const expected = putOptions.expectedVersion;

      return run('put', async (sdk, client) => {
        if (expected !== undefined) {
          const expectedNumber = expected === null ? 0 : parseVersion(expected);
          if (expectedNumber === undefined) throw new ConflictError(collection, key);
          const item: Item = {
            ...keyOf(collection, key),
            v: { N: String(expectedNumber + 1) },
            [bodyName]: body,
          };
          if (expiresAt !== undefined) {
            item.expiresAt = { N: String(expiresAt) };
            item.ttl = { N: String(Math.ceil(expiresAt / 1000)) };
          }
          const condition = expected === null ? 'attribute_not_exists(#pk)' : '#v = :expected';
          try {
            await client.send(
              new sdk.PutItemCommand({
                TableName: tableName,
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
          return result(String(expectedNumber + 1));
        }
        // Unconditional upsert: one UpdateItem bumps the version whatever it was.
        const set = ['#v = if_not_exists(#v, :zero) + :one', `#${bodyName} = :body`];
        const remove = [bodyName === 'body' ? '#bodyz' : '#body'];
        const values: Item = { ':zero': { N: '0' }, ':one': { N: '1' }, ':body': body };
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
            TableName: tableName,
            Key: keyOf(collection, key),
            UpdateExpression: update,
            ExpressionAttributeNames: pickNames(update),
            ExpressionAttributeValues: values,
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const version = updated.Attributes?.v?.N;
        if (version === undefined) throw new StoreUnavailableError('DynamoDB upsert returned no version');
        return result(version);
      });
    },

    async delete(collection: string, key: string, deleteOptions: { readonly expectedVersion?: string } = {}) {
      assertCollection(collection);
      assertKey(key);
      const expected = deleteOptions.expectedVersion;
      return run('delete', async (sdk, client) => {
        if (expected === undefined) {
          const deleted = await client.send(
            new sdk.DeleteItemCommand({
              TableName: tableName,
              Key: keyOf(collection, key),
              ReturnValues: 'ALL_OLD',
            }),
          );
          return deleted.Attributes !== undefined;
        }
        if (parseVersion(expected) === undefined) throw new ConflictError(collection, key);
        try {
          await client.send(
            new sdk.DeleteItemCommand({
              TableName: tableName,
              Key: keyOf(collection, key),
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
      });
    },

    async list<T>(collection: string, listOptions: ListOptions = {}): Promise<ListPage<T>> {
      assertCollection(collection);
      const limit = resolveListLimit(listOptions.limit);
      const prefix = listOptions.prefix ?? '';
      const prefixBytes = encodeKeyBytes(prefix);
      const after = listOptions.cursor === undefined ? undefined : encodeKeyBytes(listOptions.cursor);
      const condition = prefix === '' ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)';
      const values: Item = { ':pk': { S: collection } };
      if (prefix !== '') values[':prefix'] = { B: prefixBytes };

      return run('list', async (sdk, client) => {
        const rows: Item[] = [];
        // A cursor before the prefix range means "from the start of the range".
        let startKey: Item | undefined =
          after !== undefined && Buffer.compare(after, prefixBytes) >= 0
            ? { pk: { S: collection }, sk: { B: after } }
            : undefined;
        do {
          const page = await client.send(
            new sdk.QueryCommand({
              TableName: tableName,
              KeyConditionExpression: condition,
              ExpressionAttributeNames: pickNames(condition),
              ExpressionAttributeValues: values,
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
      });
    },

    async purgeExpired(collection: string, now: number) {
      assertCollection(collection);
      return run('purge', async (sdk, client) => {
        let purged = 0;
        let startKey: Item | undefined;
        do {
          const page = await client.send(
            new sdk.QueryCommand({
              TableName: tableName,
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
                  TableName: tableName,
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
      });
    },

    async close() {
      closed = true;
      const open = connection;
      connection = undefined;
      if (open) (await open).client.destroy();
    },
  };
}

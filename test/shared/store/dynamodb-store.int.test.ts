/**
 * The DynamoDB adapter against dynalite (npm), started in-process for this file: the shared contract
 * plus table setup, compressed large bodies and errors that must not leak credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbStore, ensureDynamoDbTable } from '../../../shared/store/dynamodb-store.ts';
import { StoreUnavailableError } from '../../../shared/store/ports.ts';
import { type DynaliteServer, startDynalite } from '../../helpers/dynalite.ts';
import { describeStateStoreContract } from './state-store-contract.ts';

let server: DynaliteServer;
let tables = 0;
beforeAll(async () => {
  server = await startDynalite();
});
afterAll(async () => {
  await server?.stop();
});

function clientOptions(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret-never-logged' },
  };
}

async function openStore() {
  const options = { tableName: `state-${++tables}`, client: clientOptions(server.endpoint) };
  await ensureDynamoDbTable(options);
  return { store: createDynamoDbStore(options), options };
}

describeStateStoreContract('dynamodb (dynalite)', async () => {
  const { store } = await openStore();
  return { store, cleanup: () => store.close() };
});

describe('DynamoDB store', () => {
  it('ensureDynamoDbTable is idempotent', async () => {
    const { store, options } = await openStore();
    await ensureDynamoDbTable(options);
    await store.put('things', 'k', 1);
    expect((await store.get('things', 'k'))?.value).toBe(1);
    await store.close();
  });

  it('a missing table or an unreachable endpoint is StoreUnavailableError without credentials', async () => {
    const missing = createDynamoDbStore({
      tableName: 'no-such-table',
      client: clientOptions(server.endpoint),
    });
    const error = await missing.get('things', 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(String((error as Error).message)).toContain('ResourceNotFoundException');
    await missing.close();

    const down = createDynamoDbStore({
      tableName: 'state',
      client: { ...clientOptions('http://127.0.0.1:9'), maxAttempts: 1 },
    });
    const downError = await down.put('things', 'k', 1).catch((e: unknown) => e);
    expect(downError).toBeInstanceOf(StoreUnavailableError);
    expect((downError as Error).message).not.toContain('local-secret-never-logged');
    await down.close();
  });
});

/**
 * The Azure Table adapter against Azurite (npm), started once for this file: the shared contract,
 * table creation on first use, the encoded-key limit and errors that never carry the account key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureTableStore } from '../../../shared/store/azure-table-store.ts';
import { StoreUnavailableError, StoreUsageError } from '../../../shared/store/ports.ts';
import { AZURITE_ACCOUNT_KEY, type AzuriteServer, startAzurite } from '../../helpers/azurite.ts';
import { describeStateStoreContract } from './state-store-contract.ts';

let server: AzuriteServer;
let tables = 0;
beforeAll(async () => {
  server = await startAzurite();
});
afterAll(async () => {
  await server?.stop();
});

const nextTable = () => `state${++tables}${Date.now().toString(36)}`;

describeStateStoreContract('azure-table (Azurite)', async () => {
  const store = createAzureTableStore({ connectionString: server.connectionString, tableName: nextTable() });
  return { store, cleanup: () => store.close() };
});

describe('Azure Table store', () => {
  it('creates its table on first use, and a second store shares it', async () => {
    const tableName = nextTable();
    const a = createAzureTableStore({ connectionString: server.connectionString, tableName });
    const b = createAzureTableStore({ connectionString: server.connectionString, tableName });
    const written = await a.put('things', 'k', { n: 1 });
    expect(await b.get('things', 'k')).toEqual(written);
    await a.close();
    await b.close();
  });

  it('rejects keys whose encoding exceeds the 512-character RowKey limit', async () => {
    const store = createAzureTableStore({
      connectionString: server.connectionString,
      tableName: nextTable(),
    });
    await expect(store.put('things', '\u{1F600}'.repeat(60), 1)).rejects.toBeInstanceOf(StoreUsageError);
    await expect(store.put('things', `${'a/'.repeat(170)}${'é'.repeat(2)}`, 1)).resolves.toBeDefined();
    await store.close();
  });

  it('an unreachable service is StoreUnavailableError without the account key', async () => {
    const connectionString = server.connectionString.replace(
      /TableEndpoint=[^;]+/,
      'TableEndpoint=http://127.0.0.1:9/devstoreaccount1',
    );
    const store = createAzureTableStore({
      connectionString,
      tableName: nextTable(),
      createTable: false,
    });
    const error = await store.get('things', 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).not.toContain(AZURITE_ACCOUNT_KEY);
    expect((error as Error).message).not.toContain('AccountKey');
    await store.close();
  });

  it('rejects an invalid table name', () => {
    expect(() =>
      createAzureTableStore({ connectionString: server.connectionString, tableName: 'bad-name' }),
    ).toThrow(StoreUsageError);
  });
});

/**
 * Opens the configured StateStore. Only the chosen adapter (and its SDK or native module) is
 * imported: a Lambda on DynamoDB never loads better-sqlite3 or @azure/data-tables.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { StateStore } from './ports.ts';
import type { SqliteDurability } from './sqlite-store.ts';

export const StateStoreKind = {
  memory: 'memory',
  sqlite: 'sqlite',
  azureTable: 'azure-table',
  dynamodb: 'dynamodb',
} as const;
export type StateStoreKind = (typeof StateStoreKind)[keyof typeof StateStoreKind];

export type StateStoreConfig =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'sqlite';
      /** The database file, e.g. `<data dir>/state.db`. */
      readonly path: string;
      readonly busyTimeoutMs?: number;
      readonly durability?: SqliteDurability;
    }
  | {
      readonly kind: 'azure-table';
      readonly connectionString: string;
      readonly tableName: string;
      readonly createTable?: boolean;
      readonly allowInsecureConnection?: boolean;
    }
  | {
      readonly kind: 'dynamodb';
      readonly tableName: string;
      /** Region, endpoint, credentials…; the SDK's default chain when absent. */
      readonly client?: DynamoDBClientConfig;
    };

export async function createStateStore(config: StateStoreConfig): Promise<StateStore> {
  switch (config.kind) {
    case 'memory': {
      const { createMemoryStore } = await import('./memory-store.ts');
      return createMemoryStore();
    }
    case 'sqlite': {
      const { createSqliteStore } = await import('./sqlite-store.ts');
      return createSqliteStore(config);
    }
    case 'azure-table': {
      const { createAzureTableStore } = await import('./azure-table-store.ts');
      return createAzureTableStore(config);
    }
    case 'dynamodb': {
      const { createDynamoDbStore } = await import('./dynamodb-store.ts');
      return createDynamoDbStore(config);
    }
    default: {
      const unknown: { kind?: unknown } = config;
      throw new TypeError(`unknown state store kind ${String(unknown.kind)}`);
    }
  }
}

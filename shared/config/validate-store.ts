/** The `store` section: which state store, its file or table, resolved against the data directory. */
import type { StateStoreConfig } from '../store/create-state-store.ts';
import type { StoreInput } from './config-document.ts';
import { resolveAbsolutePath } from './setting-values.ts';

export function validateStore(section: StoreInput, dataDir: string, cwd: string): StateStoreConfig {
  switch (section.kind) {
    case 'sqlite':
      return {
        kind: 'sqlite',
        path: resolveAbsolutePath((section.path as string | undefined) ?? `${dataDir}/crosswatch.db`, cwd),
        ...(section.durability ? { durability: section.durability as 'normal' | 'full' } : {}),
      };
    case 'memory':
      return { kind: 'memory' };
    case 'azure-table':
      return {
        kind: 'azure-table',
        connectionString: section.connectionString as string,
        tableName: section.tableName as string,
      };
    default:
      return {
        kind: 'dynamodb',
        tableName: section.tableName as string,
        ...(section.region || section.endpoint
          ? {
              client: {
                ...(section.region ? { region: section.region as string } : {}),
                ...(section.endpoint ? { endpoint: section.endpoint as string } : {}),
              },
            }
          : {}),
      };
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStateStore, type StateStoreConfig } from '../../../shared/store/create-state-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'crosswatch-factory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createStateStore', () => {
  it('opens a memory and a SQLite store', async () => {
    const memory = await createStateStore({ kind: 'memory' });
    expect(memory.kind).toBe('memory');
    await memory.close();
    const sqlite = await createStateStore({ kind: 'sqlite', path: join(dir, 'data', 'state.db') });
    expect(sqlite.kind).toBe('sqlite');
    await sqlite.put('things', 'k', 1);
    expect((await sqlite.get('things', 'k'))?.value).toBe(1);
    await sqlite.close();
  });

  it('creates network adapters without connecting until first use', async () => {
    const azure = await createStateStore({
      kind: 'azure-table',
      connectionString: 'UseDevelopmentStorage=true',
      tableName: 'crosswatch',
    });
    expect(azure.kind).toBe('azure-table');
    await azure.close();
    const dynamodb = await createStateStore({ kind: 'dynamodb', tableName: 'crosswatch' });
    expect(dynamodb.kind).toBe('dynamodb');
    await dynamodb.close();
  });

  it('rejects an unknown kind', async () => {
    await expect(createStateStore({ kind: 'redis' } as unknown as StateStoreConfig)).rejects.toThrow(
      /unknown state store kind redis/,
    );
  });
});

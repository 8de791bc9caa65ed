/**
 * The local runner's inbox: the group-commit SQLite file in the data directory, as durable as the
 * configured SQLite store (`full`: each commit fsyncs; `normal`: survives a process crash).
 */
import { join } from 'node:path';
import type { CrosswatchConfig } from '../config/crosswatch-config.ts';
import type { SqliteInbox } from '../inbox/sqlite-inbox.ts';
import type { OpenInbox } from './open-runtime.ts';

/** The file of the local runner's inbox, in the data directory. */
export const INBOX_FILE = 'inbox.db';

export function openLocalInbox(config: CrosswatchConfig): OpenInbox<SqliteInbox> {
  return async () => {
    const { createSqliteInbox } = await import('../inbox/sqlite-inbox.ts');
    return createSqliteInbox({
      path: join(config.dataDir, INBOX_FILE),
      durability: config.store.kind === 'sqlite' && config.store.durability === 'normal' ? 'normal' : 'full',
    });
  };
}

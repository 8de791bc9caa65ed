/**
 * dynalite (npm `dynalite`, a DynamoDB implementation on LevelDB) in-process on a free loopback port,
 * with its in-memory backend (memory-level: no native build, nothing on disk) and no artificial
 * table-creation delays.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';

export interface DynaliteServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

type CreateDynalite = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  path?: string;
}) => Server;

export async function startDynalite(): Promise<DynaliteServer> {
  const createDynalite = createRequire(import.meta.url)('dynalite') as CreateDynalite;
  const server = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite has no TCP address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

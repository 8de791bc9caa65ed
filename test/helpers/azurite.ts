/**
 * Azurite (npm `azurite`, the Azure Storage emulator) as a child process on free loopback ports,
 * in-memory, for the Azure Table and Blob adapters' tests and benchmarks. The account is Azurite's
 * public well-known development account (its key is published in Microsoft's docs; not a secret).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer {
  /** A full connection string with BlobEndpoint and TableEndpoint on loopback. */
  readonly connectionString: string;
  readonly blobEndpoint: string;
  readonly tableEndpoint: string;
  stop(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/;

export async function startAzurite(
  options: { readonly startTimeoutMs?: number } = {},
): Promise<AzuriteServer> {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  // In-memory persistence; its working directory is a temp dir so nothing lands in the work tree.
  const location = mkdtempSync(join(tmpdir(), 'crosswatch-azurite-'));
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [
      main,
      ...['--blobHost', '127.0.0.1', '--blobPort', '0'],
      ...['--queueHost', '127.0.0.1', '--queuePort', '0'],
      ...['--tableHost', '127.0.0.1', '--tablePort', '0'],
      '--inMemoryPersistence',
      ...['--extentMemoryLimit', '512'],
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
      '--disableTelemetry',
    ],
    { cwd: location, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(location, { recursive: true, force: true });
  };

  try {
    const endpoints = await new Promise<Map<string, string>>((resolve, reject) => {
      const found = new Map<string, string>();
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`Azurite did not start in time: ${output}`)),
        options.startTimeoutMs ?? 30_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        for (const line of output.split('\n')) {
          const match = LISTENING.exec(line);
          if (match?.[1] && match[2]) found.set(match[1], match[2]);
        }
        if (found.has('Blob') && found.has('Table') && found.has('Queue')) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited (${code}) before listening: ${output}`));
      });
    });
    const blobEndpoint = `${endpoints.get('Blob')}/${AZURITE_ACCOUNT}`;
    const queueEndpoint = `${endpoints.get('Queue')}/${AZURITE_ACCOUNT}`;
    const tableEndpoint = `${endpoints.get('Table')}/${AZURITE_ACCOUNT}`;
    // Drain further output so a full pipe never blocks the emulator.
    child.stdout.resume();
    child.stderr.resume();
    return {
      connectionString: [
        'DefaultEndpointsProtocol=http',
        `AccountName=${AZURITE_ACCOUNT}`,
        `AccountKey=${AZURITE_ACCOUNT_KEY}`,
        `BlobEndpoint=${blobEndpoint}`,
        `QueueEndpoint=${queueEndpoint}`,
        `TableEndpoint=${tableEndpoint}`,
      ].join(';'),
      blobEndpoint,
      tableEndpoint,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

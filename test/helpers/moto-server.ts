/**
 * moto's server mode (`python3 -m moto.server`, the moto 5 package on the node machine image) as a
 * child process on a free loopback port: an SQS-, Secrets Manager- and SSM-compatible endpoint that
 * the real AWS SDK v3 clients talk to over HTTP. In-memory; everything is gone when it stops.
 */
import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';

export interface MotoServer {
  readonly endpoint: string;
  /** Static test credentials; moto accepts any. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
  stop(): Promise<void>;
}

/** Why moto cannot run here, or undefined when it can. */
export function checkMotoAvailable(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return `python3 is not available (${probe.error.message})`;
  if (probe.status !== 0)
    return `python3 cannot import moto.server: ${probe.stderr.trim().split('\n').pop()}`;
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startMoto(options: { readonly startTimeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    'python3',
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`moto did not start in time: ${output}`)),
        options.startTimeoutMs ?? 30_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes(`Running on http://127.0.0.1:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`moto exited (${code}) before listening: ${output}`));
      });
    });
    child.stdout.resume();
    child.stderr.resume();
    return {
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      region: 'us-east-1',
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

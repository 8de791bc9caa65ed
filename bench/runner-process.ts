/**
 * The benchmarks' child processes: a free loopback port, `crosswatch serve` from the built CLI bundle
 * on a data directory, waiting for an HTTP endpoint, and stopping a child (gracefully or kill -9).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = new URL('../', import.meta.url).pathname;

export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly base: string;
  readonly dataDir: string;
}

/** `crosswatch serve` with `config` (written to `<dir>/crosswatch.config.json`); null when the CLI bundle is missing. */
export async function startServe(dir: string, config: unknown): Promise<ServeProcess | null> {
  const bundle = join(ROOT, 'dist/cli/crosswatch.mjs');
  if (!existsSync(bundle)) return null;
  const configPath = join(dir, 'crosswatch.config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const port = await findFreePort();
  const dataDir = join(dir, 'crosswatch-data');
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/crosswatch.mjs'),
      'serve',
      '--config',
      configPath,
      '--data',
      dataDir,
      '--port',
      String(port),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CROSSWATCH_CONFIG: '' } },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, child);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }
  return { child, base, dataDir };
}

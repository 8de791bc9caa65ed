/**
 * The local runner as a child process (`crosswatch serve` from the TypeScript sources, through
 * crosswatch-cli-child.ts): resolves once its banner names the URL it listens on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const CHILD = join(ROOT, 'test/helpers/crosswatch-cli-child.ts');

export interface SpawnedRunner {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: () => string;
}

export async function spawnRunner(configPath: string, dataDir: string): Promise<SpawnedRunner> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, 'serve', '--config', configPath, '--data', dataDir, '--port', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CROSSWATCH_CONFIG: '' } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /listening\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`runner exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

/** POSTs the Service Health incident fixture (incident azure:0NIH-U2O); resolves with the status. */
export async function postServiceHealthIncident(url: string, token: string): Promise<number> {
  const payload = await readFile(
    new URL('../fixtures/azure-activity-log-webhook/service-health-incident-active.json', import.meta.url),
    'utf8',
  );
  const response = await fetch(`${url}/api/service-health?token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload,
  });
  await response.arrayBuffer();
  return response.status;
}

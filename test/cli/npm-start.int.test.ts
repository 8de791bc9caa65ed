/**
 * `npm start` as a developer or a process manager runs it: a real `npm start -- …` child (npm, its
 * script shell, the runner). SIGTERM to npm's pid must reach the runner, which shuts down
 * gracefully; no runner may be left running behind npm (an orphan still holding the port and the
 * data directory).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) is gone as far as this test is concerned.
  return !/^\d+ \(.*\) Z /.test(readFileSyncSafe(`/proc/${pid}/stat`));
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Polls until `pid` is gone; false when it is still there after `giveUpMs` (an orphan). */
async function waitGone(pid: number, giveUpMs: number): Promise<boolean> {
  for (const started = performance.now(); performance.now() - started < giveUpMs; ) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

function startNpm(args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn('npm', ['start', ...args], {
    cwd: ROOT,
    env: { ...process.env, CROSSWATCH_CONFIG: '', ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => output, exited };
}

async function waitListening(npm: { output: () => string; exited: Promise<unknown> }): Promise<void> {
  let exited = false;
  void npm.exited.then(() => {
    exited = true;
  });
  while (!/listening\s+http:\/\/\S+/.test(npm.output())) {
    if (exited) throw new Error(`npm start exited before the runner listened: ${npm.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts it, SIGTERMs npm, and checks that the runner it started stopped gracefully, orphaning nothing. */
async function checkSigtermReachesRunner(child: ReturnType<typeof startNpm>, data: string): Promise<void> {
  let runnerPid: number | undefined;
  try {
    await waitListening(child);
    runnerPid = (JSON.parse(await readFile(join(data, 'runner.lock'), 'utf8')) as { pid: number }).pid;
    expect(runnerPid).not.toBe(child.child.pid);
    child.child.kill('SIGTERM');
    const { code } = await child.exited;
    // The runner is gone too (generously polled: with the fix it is gone before npm exits).
    expect(await waitGone(runnerPid, 5000), `runner pid ${runnerPid} still running after npm exited`).toBe(
      true,
    );
    expect(child.output()).toContain('"msg":"shutting down","reason":"SIGTERM"');
    expect(child.output()).toContain('"msg":"stopped"');
    expect(code).toBe(0);
  } finally {
    if (runnerPid !== undefined && isAlive(runnerPid)) process.kill(runnerPid, 'SIGKILL');
    killIfRunning(child.child);
  }
}

function killIfRunning(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

let dir: string;

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--cli'], { cwd: ROOT, stdio: 'pipe' });
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-npm-start-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('passes SIGTERM to the runner: it shuts down gracefully and nothing is left running behind npm', async () => {
    const data = join(dir, 'with-flags');
    await checkSigtermReachesRunner(startNpm(['--', '--port', '0', '--data', data, '--no-probes'], {}), data);
  });

  it('runs with no arguments (settings from the environment here, so as not to need port 7071)', async () => {
    const data = join(dir, 'no-flags');
    const env = {
      CROSSWATCH_DATA_DIR: data,
      CROSSWATCH_SERVER_PORT: '0',
      CROSSWATCH_PROBES_ENABLED: 'false',
    };
    await checkSigtermReachesRunner(startNpm([], env), data);
  });
});

/**
 * `crosswatch serve` as a user runs it (the built bin/crosswatch.mjs in a child process): a start
 * that fails for any reason closes what it opened and exits non-zero; one runner per data
 * directory (a second is refused, naming the holder's pid; a holder killed with SIGKILL is taken
 * over); the data directory 0700 and its databases, token, lock and evidence 0600 whatever the umask.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/crosswatch.mjs');
const PAYLOAD = readFile(
  join(ROOT, 'test/fixtures/azure-activity-log-webhook/service-health-incident-active.json'),
  'utf8',
);
/** What the acceptance criterion allows between the one error line and the process's exit. */
const EXIT_BOUND_MS = 2000;

interface Serve {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** performance.now() when the first stderr bytes arrived. */
  readonly firstErrorAt: () => number | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** `crosswatch serve ARGS` from the bundle; with `umask`, started under that umask. */
function spawnServe(args: readonly string[], options: { umask?: string } = {}): Serve {
  const env = { ...process.env, CROSSWATCH_CONFIG: '' };
  const child =
    options.umask === undefined
      ? spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env })
      : spawn(
          '/bin/sh',
          ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, BIN, 'serve', ...args],
          {
            cwd: ROOT,
            env,
          },
        );
  let stdout = '';
  let stderr = '';
  let firstErrorAt: number | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    firstErrorAt ??= performance.now();
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
    },
  );
  return { child, stdout: () => stdout, stderr: () => stderr, firstErrorAt: () => firstErrorAt, exited };
}

/** Resolves with the runner's URL once its banner is out; rejects if it exits first. */
async function waitListening(serve: Serve): Promise<string> {
  for (;;) {
    const match = /listening\s+(http:\/\/\S+)/.exec(serve.stdout());
    if (match?.[1]) return match[1];
    const exited = await Promise.race([
      serve.exited,
      new Promise((resolve) => setTimeout(resolve, 50, null)),
    ]);
    if (exited) throw new Error(`runner exited before listening: ${serve.stdout()}${serve.stderr()}`);
  }
}

/** Waits for the exit; a process still running after `giveUpMs` is killed and reported as hanging. */
async function waitExit(serve: Serve, giveUpMs = 15_000) {
  const timeout = new Promise<null>((resolve) => setTimeout(resolve, giveUpMs, null).unref());
  const result = await Promise.race([serve.exited, timeout]);
  if (result === null) {
    serve.child.kill('SIGKILL');
    throw new Error(`still running ${giveUpMs} ms after start (headless): ${serve.stderr()}`);
  }
  return result;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function modeOf(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o777).toString(8);
}

/** Every file and directory under `root`, with its mode. */
async function listModes(root: string): Promise<Record<string, string>> {
  const modes: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    modes[path.slice(root.length + 1)] = `${entry.isDirectory() ? 'dir' : 'file'} ${await modeOf(path)}`;
  }
  return modes;
}

let dir: string;

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--cli'], { cwd: ROOT, stdio: 'pipe' });
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-lifecycle-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('crosswatch serve start failures', () => {
  it('any start failure (bind, store, inbox, config, data directory) closes what it opened and exits non-zero within 2 s of its one line', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as AddressInfo).port;
    const cases: {
      name: string;
      prepare: (data: string) => Promise<string[]>;
      code: number;
      line: RegExp;
    }[] = [
      {
        name: 'bind',
        prepare: async () => ['--port', String(busyPort)],
        code: 1,
        line: new RegExp(
          `^crosswatch: serve: cannot listen on 127\\.0\\.0\\.1:${busyPort} \\(EADDRINUSE\\)\\n$`,
        ),
      },
      {
        name: 'store',
        prepare: async (data) => {
          await mkdir(join(data, 'crosswatch.db'), { recursive: true });
          return [];
        },
        code: 1,
        line: /^crosswatch: serve: cannot start \(StoreUnavailableError: SQLite open failed \(EISDIR\)\)\n$/,
      },
      {
        name: 'inbox',
        prepare: async (data) => {
          await mkdir(join(data, 'inbox.db'), { recursive: true });
          return [];
        },
        code: 1,
        line: /^crosswatch: serve: cannot start \(InboxUnavailableError: the inbox database .*inbox\.db cannot be opened\)\n$/,
      },
      {
        name: 'config',
        prepare: async (data) => {
          const file = join(data, '..', 'bad-timeouts.json');
          await writeFile(
            file,
            JSON.stringify({ server: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } }),
          );
          return ['--config', file];
        },
        code: 2,
        line: /^crosswatch: .*bad-timeouts\.json: server\.requestTimeoutMs: must be at least server\.headersTimeoutMs \(5000\)\n$/,
      },
      {
        name: 'data directory is a file',
        prepare: async (data) => {
          await mkdir(join(data, '..'), { recursive: true });
          await writeFile(data, 'not a directory');
          return [];
        },
        code: 1,
        line: /^crosswatch: serve: cannot start \(Error: .* is not a directory\)\n$/,
      },
    ];
    try {
      for (const [index, failure] of cases.entries()) {
        const data = join(dir, `fail-${index}`, 'data');
        await mkdir(join(dir, `fail-${index}`), { recursive: true });
        const extra = await failure.prepare(data);
        const serve = spawnServe(['--port', '0', '--data', data, '--no-probes', ...extra]);
        const { code, at } = await waitExit(serve);
        expect({ case: failure.name, code }).toEqual({ case: failure.name, code: failure.code });
        expect(serve.stderr(), failure.name).toMatch(failure.line);
        const lineAt = serve.firstErrorAt();
        expect(lineAt, failure.name).toBeDefined();
        expect(at - (lineAt ?? 0), `${failure.name}: ms from the error line to the exit`).toBeLessThan(
          EXIT_BOUND_MS,
        );
        // The data directory was let go: no runner.lock left behind.
        expect(await exists(join(data, 'runner.lock')), failure.name).toBe(false);
      }
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});

describe('one runner per data directory', () => {
  it('refuses a second runner naming the directory and the pid, takes over after the holder is SIGKILLed, and releases on SIGTERM', async () => {
    const data = join(dir, 'shared-data');
    const first = spawnServe(['--port', '0', '--data', data, '--no-probes']);
    let third: Serve | undefined;
    try {
      await waitListening(first);
      const holder = JSON.parse(await readFile(join(data, 'runner.lock'), 'utf8')) as { pid: number };
      expect(holder.pid).toBe(first.child.pid);

      const second = spawnServe(['--port', '0', '--data', data, '--no-probes']);
      const refused = await waitExit(second);
      expect(refused.code).toBe(1);
      expect(second.stderr()).toMatch(
        new RegExp(
          `^crosswatch: serve: cannot start: data directory ${data} is in use by another runner \\(pid ${first.child.pid}, since [0-9T:.-]+Z\\)\\n$`,
        ),
      );
      expect(refused.at - (second.firstErrorAt() ?? 0)).toBeLessThan(EXIT_BOUND_MS);
      // The refused runner did not touch the holder's record.
      expect(JSON.parse(await readFile(join(data, 'runner.lock'), 'utf8')).pid).toBe(first.child.pid);

      first.child.kill('SIGKILL');
      await first.exited;
      // The dead holder's runner.lock is still there; its lock died with it.
      expect(await exists(join(data, 'runner.lock'))).toBe(true);
      third = spawnServe(['--port', '0', '--data', data, '--no-probes']);
      await waitListening(third);
      expect(JSON.parse(await readFile(join(data, 'runner.lock'), 'utf8')).pid).toBe(third.child.pid);
      const takeover = third
        .stdout()
        .split('\n')
        .filter((line) => line.includes('took over the data directory'));
      expect(takeover).toHaveLength(1);
      expect(JSON.parse(takeover[0] ?? '{}')).toMatchObject({ level: 'warn', previousPid: first.child.pid });

      third.child.kill('SIGTERM');
      expect((await waitExit(third)).code).toBe(0);
      expect(await exists(join(data, 'runner.lock'))).toBe(false);
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      if (third && third.child.exitCode === null && third.child.signalCode === null)
        third.child.kill('SIGKILL');
    }
  });
});

describe('file modes', () => {
  it('under umask 000: data directory 0700; databases with their -wal/-shm, token, lock and evidence 0600', async () => {
    const data = join(dir, 'modes');
    const serve = spawnServe(['--port', '0', '--data', data, '--no-probes'], { umask: '000' });
    try {
      const url = await waitListening(serve);
      const token = (await readFile(join(data, 'local-token'), 'utf8')).trim();
      const response = await fetch(`${url}/api/service-health?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: await PAYLOAD,
      });
      expect(response.status).toBe(202);
      // Wait (bounded) for the input to be processed: its evidence is then in evidence.db.
      for (let attempt = 0; attempt < 300; attempt++) {
        const status = (await (await fetch(`${url}/api/status`)).json()) as { inbox: { pending: number } };
        if (status.inbox.pending === 0 && (await exists(join(data, 'evidence.db-wal')))) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await modeOf(data)).toBe('700');
      const modes = await listModes(data);
      for (const name of [
        'crosswatch.db',
        'crosswatch.db-wal',
        'crosswatch.db-shm',
        'inbox.db',
        'inbox.db-wal',
      ]) {
        expect(modes[name], name).toBe('file 600');
      }
      expect(modes['inbox.db-shm']).toBe('file 600');
      expect(modes['local-token']).toBe('file 600');
      expect(modes['runner.lock']).toBe('file 600');
      for (const name of ['evidence.db', 'evidence.db-wal', 'evidence.db-shm']) {
        expect(modes[name], name).toBe('file 600');
      }
      for (const [name, mode] of Object.entries(modes)) {
        expect(mode, name).toBe(mode.startsWith('dir') ? 'dir 700' : 'file 600');
      }
    } finally {
      serve.child.kill('SIGTERM');
      expect((await waitExit(serve)).code).toBe(0);
    }
  });

  it('tightens a data directory and files an older version left open to others, and says so once', async () => {
    const data = join(dir, 'loose');
    await mkdir(data, { recursive: true });
    await chmod(data, 0o755);
    await writeFile(join(data, 'local-token'), 'a-token-from-an-older-version-0123456789\n', { mode: 0o644 });
    await chmod(join(data, 'local-token'), 0o644);
    await writeFile(join(data, 'crosswatch.db'), '', { mode: 0o644 });
    await chmod(join(data, 'crosswatch.db'), 0o644);
    const serve = spawnServe(['--port', '0', '--data', data, '--no-probes']);
    try {
      await waitListening(serve);
      expect(await modeOf(data)).toBe('700');
      expect(await modeOf(join(data, 'local-token'))).toBe('600');
      expect(await modeOf(join(data, 'crosswatch.db'))).toBe('600');
      const warnings = serve
        .stdout()
        .split('\n')
        .filter((line) => line.includes('tightened to 0700'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({
        level: 'warn',
        dataDir: data,
        previousMode: '0755',
      });
    } finally {
      serve.child.kill('SIGTERM');
      expect((await waitExit(serve)).code).toBe(0);
    }
  });
});

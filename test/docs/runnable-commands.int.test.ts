/**
 * Every command shown in the docs as ```sh runnable``` runs, as it stands, and exits 0: each block
 * goes to `bash` with `set -euo pipefail` in a throwaway working directory that links the
 * repository's scenarios/, test/ and bench/ (the paths the examples use), with `crosswatch` on the
 * PATH as `node <repo>/bin/crosswatch.mjs`, the command a user gets after `npm ci`. Blocks that cannot
 * run here (cloud deployments, `npm start`, the Internet) are plain ```sh``` blocks;
 * docs/development.md says which and why.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFencedBlocks, ROOT, readDocPages } from '../helpers/markdown-docs.ts';

const LINKED = ['scenarios', 'test', 'bench'];

const blocks = readDocPages().flatMap((page) =>
  extractFencedBlocks(page).filter((block) => block.info === 'sh runnable'),
);

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** This process's environment without CROSSWATCH_* settings: the examples start from the defaults. */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CROSSWATCH_')));
}

function runBash(script: string, cwd: string, binDir: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], {
      cwd,
      env: { ...userEnvironment(), PATH: `${binDir}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: whatever a failed block left running in the background is stopped too.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Nothing left running: the usual case.
      }
    });
    child.once('close', (code, signal) => resolve({ code, signal, output }));
  });
}

describe('runnable commands in README.md and docs/', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'crosswatch-doc-commands-'));
  const binDir = join(scratch, 'bin');

  beforeAll(() => {
    // The CLI bundle from the current sources, as `npm ci` (prepare) builds it.
    execFileSync(process.execPath, ['scripts/build.mjs', '--cli'], { cwd: ROOT, stdio: 'pipe' });
    mkdirSync(binDir);
    const shim = join(binDir, 'crosswatch');
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/crosswatch.mjs')}" "$@"\n`);
    chmodSync(shim, 0o755);
  });

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds runnable blocks in the README and in the docs', () => {
    expect(blocks.some((block) => block.page === 'README.md')).toBe(true);
    expect(new Set(blocks.map((block) => block.page)).size).toBeGreaterThan(4);
  });

  it.each(blocks.map((block) => [`${block.page}:${block.line}`, block] as const))(
    '%s exits 0',
    async (name, block) => {
      const cwd = mkdtempSync(join(scratch, `${name.replace(/[/:.]/g, '-')}-`));
      for (const folder of LINKED) symlinkSync(join(ROOT, folder), join(cwd, folder));
      const run = await runBash(block.body, cwd, binDir);
      expect({ code: run.code, signal: run.signal, output: run.code === 0 ? '' : run.output }).toEqual({
        code: 0,
        signal: null,
        output: '',
      });
    },
  );
});

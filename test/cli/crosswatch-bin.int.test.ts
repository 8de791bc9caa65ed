/**
 * The real `crosswatch` executable, as a user runs it after `npm ci`: built bundle, child process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${root}bin/crosswatch.mjs`;

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: root, input, encoding: 'utf8', timeout: 20_000 });
}

describe('crosswatch executable', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs', '--cli'], { cwd: root, stdio: 'pipe' });
  });

  it('normalizes a fixture file to JSON lines', () => {
    const result = run(['normalize', 'test/fixtures/probe/http-control-plane-502.json']);
    expect(result.status).toBe(0);
    const event = JSON.parse(result.stdout.trim());
    expect(event.data.incidentKey).toBe('probe:azure-arm');
  });

  it('exits 2 with one line and no stack trace for garbage on stdin', () => {
    const result = run(['normalize', '-'], 'this is not json');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^crosswatch: stdin: input is not valid JSON \(.*\)\n$/);
  });

  it('ingests into a SQLite data directory (better-sqlite3 stays a real module, not bundled)', () => {
    const data = mkdtempSync(join(tmpdir(), 'crosswatch-bin-'));
    try {
      const scenario = 'scenarios/2026-02-02-vm-service-management/';
      const result = run([
        'ingest',
        '--data',
        data,
        `${scenario}03-probes-2026-02-02T1949Z.json`,
        `${scenario}04-service-health-active-sub-a.json`,
      ]);
      expect(result.stderr).toBe('ingested 5 inputs, 5 decisions\n');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('open               azure:FNJ8-VQZ');
      const incidents = run(['incidents', '--data', data, '--json']);
      expect(incidents.status).toBe(0);
      expect(JSON.parse(incidents.stdout.trim()).incidentKey).toBe('azure:FNJ8-VQZ');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('prints --help and --version', () => {
    expect(run(['--help']).stdout).toContain('Usage: crosswatch <command>');
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

/**
 * `crosswatch replay` on the recorded 2026-02-02 scenario: the story comes out in order, the
 * throwaway data directory is gone afterwards unless --keep names one, and bad input is one line.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { captureIo } from '../helpers/cli-harness.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/2026-02-02-vm-service-management', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'crosswatch-replay-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crosswatch replay', () => {
  it('replays a scenario folder: decisions in order, then the incidents with the lead time', async () => {
    const harness = captureIo();
    expect(await runCli(['replay', SCENARIO], harness.io)).toBe(0);
    const out = harness.stdout();
    const open = out.indexOf('open               probe:control-arm-compute');
    const acknowledged = out.indexOf('reason=acknowledged:azure:FNJ8-VQZ');
    const resolved = out.indexOf('resolve            azure:FNJ8-VQZ');
    expect(open).toBeGreaterThan(-1);
    expect(acknowledged).toBeGreaterThan(open);
    expect(resolved).toBeGreaterThan(acknowledged);
    expect(out).toContain('lead time +12m 11s');
    expect(out).toContain('RESOLVED azure:FNJ8-VQZ');
    expect(out.trimEnd().endsWith('2 incidents')).toBe(true);
    expect(harness.stderr()).toContain('ingested 29 inputs, 30 decisions');
  });

  it('keeps the data directory with --keep and prints JSON lines with --json', async () => {
    const keep = join(dir, 'kept');
    const harness = captureIo();
    expect(await runCli(['replay', '--json', '--keep', keep, SCENARIO], harness.io)).toBe(0);
    const lines = harness.stdout().trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.filter((line) => 'decision' in line)).toHaveLength(30);
    const incidents = parsed.filter((line) => !('decision' in line));
    expect(incidents.map((incident) => incident.incidentKey).sort()).toEqual([
      'azure:FNJ8-VQZ',
      'probe:control-arm-compute',
    ]);
    expect(existsSync(join(keep, 'crosswatch.db'))).toBe(true);
  });

  it('names a missing input in one line and exits 2', async () => {
    const harness = captureIo();
    expect(await runCli(['replay', join(dir, 'nope')], harness.io)).toBe(2);
    expect(harness.stderr()).toBe(`crosswatch: replay: ${join(dir, 'nope')}: no such file or directory\n`);
    expect(harness.stdout()).toBe('');
  });
});

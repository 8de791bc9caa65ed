import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../shared/config/validate-config.ts';
import { ProbeTargetsError, resolveProbeTargets } from '../../../shared/pipeline/resolve-probe-targets.ts';

const read = (path: string) => readFile(path);

describe('resolveProbeTargets', () => {
  it('runs the default catalog without configuration: placeholder targets are skipped, not errors', async () => {
    const { probes } = validateConfig({}, 'test');
    const resolved = await resolveProbeTargets(probes, read);
    expect(resolved.targets.length).toBeGreaterThan(0);
    expect(resolved.skipped.length).toBeGreaterThan(0);
    expect(JSON.stringify(resolved.targets)).not.toMatch(
      /\{(tenantId|tenantDomain|mxHost|storageAccount|region)\}/,
    );
    expect(resolved.targets.some((target) => target.control)).toBe(true);
  });

  it('fills placeholders from probes.tenant, and leaves control targets out when controls is off', async () => {
    const none = await resolveProbeTargets(validateConfig({}, 'test').probes, read);
    const { probes } = validateConfig(
      { probes: { controls: false, tenant: { tenantDomain: 'contoso.com', regions: ['westeurope'] } } },
      'test',
    );
    const resolved = await resolveProbeTargets(probes, read);
    expect(resolved.targets.some((target) => target.control)).toBe(false);
    expect(resolved.skipped.length).toBeLessThan(none.skipped.length);
    expect(JSON.stringify(resolved.targets)).toContain('contoso');
  });

  it('adds a targets file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crosswatch-targets-'));
    try {
      const file = join(dir, 'targets.json');
      await writeFile(
        file,
        JSON.stringify({
          targets: [{ id: 'own', kind: 'http', plane: 'edge', url: 'https://example.org/' }],
        }),
      );
      const { probes } = validateConfig({ probes: { catalog: 'none', targetsFile: file } }, 'test');
      expect((await resolveProbeTargets(probes, read)).targets.map((target) => target.id)).toEqual(['own']);
      await writeFile(file, JSON.stringify({ targets: [{ kind: 'http' }] }));
      await expect(resolveProbeTargets(probes, read)).rejects.toThrow(ProbeTargetsError);
      await expect(resolveProbeTargets(probes, read)).rejects.toThrow(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_SETTINGS, parseEnvValue, setPath } from '../../../shared/config/config-env.ts';
import { renderConfigReferenceTable } from '../../../shared/config/config-reference.ts';
import { validateConfig } from '../../../shared/config/validate-config.ts';

describe('configuration reference', () => {
  it("is docs/configuration.md's table (after a schema change: npx tsx scripts/generate-docs.ts)", () => {
    const page = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const start = page.indexOf('<!-- config-reference:start -->\n');
    const end = page.indexOf('<!-- config-reference:end -->');
    expect(start).toBeGreaterThan(0);
    expect(page.slice(start + '<!-- config-reference:start -->\n'.length, end)).toBe(
      renderConfigReferenceTable(),
    );
  });

  it('names a real setting for every CROSSWATCH_* variable', () => {
    const samples: Record<string, string> = {
      string: 'x',
      integer: '1',
      boolean: 'true',
      list: 'a,b',
      json: '[]',
    };
    for (const setting of ENV_SETTINGS) {
      const document: Record<string, unknown> = {};
      setPath(document, setting.path, parseEnvValue(setting, samples[setting.type] ?? 'x'));
      try {
        validateConfig(document, setting.name);
      } catch (error) {
        // A bad sample value is fine; an unknown setting is not.
        expect((error as Error).message).not.toContain('unknown setting');
      }
    }
  });
});

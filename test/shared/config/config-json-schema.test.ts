import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_FILE, renderConfigJsonSchema } from '../../../shared/config/config-json-schema.ts';
import { validateConfig } from '../../../shared/config/validate-config.ts';

const committed = readFileSync(new URL(`../../../${CONFIG_SCHEMA_FILE}`, import.meta.url), 'utf8');

const EXAMPLE = {
  $schema: './schema/crosswatch-config.schema.json',
  vantage: { id: 'aws-eu-west-1', cloud: 'aws', region: 'eu-west-1' },
  server: { port: 7071 },
  store: { kind: 'dynamodb', tableName: 'crosswatch' },
  evidence: { kind: 's3', bucket: 'crosswatch-evidence', retentionDays: 90 },
  probes: { schedule: '1m', timeoutMs: 4000, tenant: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' } },
  engine: { verdict: { quorum: 2 } },
  notify: { sinks: [{ kind: 'console', name: 'console' }] },
  webhook: {
    tokens: ['0123456789abcdef0123'],
    entra: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: ['api://crosswatch'] },
    standardWebhookSecrets: [`whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`],
  },
  pollers: { azureStatusFeed: { enabled: true }, awsHealth: { view: 'organization' } },
  log: { level: 'debug', format: 'json' },
};

describe('generated config JSON Schema', () => {
  it('is up to date with shared/config/config-schema.ts (run `npm run schema` after changing it)', () => {
    expect(committed).toBe(renderConfigJsonSchema());
  });

  it('accepts what the loader accepts and rejects what it rejects (editor completion agrees with the runtime)', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(committed));
    expect(validate(EXAMPLE)).toBe(true);
    expect(() => validateConfig(EXAMPLE, 'example')).not.toThrow();
    for (const bad of [
      { probes: { timeoutMs: 50 } },
      { nope: true },
      { store: { kind: 'postgres' } },
      { pollers: { awsHealth: { view: 'org' } } },
    ]) {
      expect(validate(bad)).toBe(false);
      expect(() => validateConfig(bad, 'bad')).toThrow();
    }
    expect(validate({})).toBe(true);
  });
});

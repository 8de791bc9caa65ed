import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_FILE, renderEventJsonSchema } from '../../../shared/event/json-schema.ts';

describe('generated event JSON Schema', () => {
  it('is up to date with shared/event/schema.ts (run `npm run schema` after changing the schema)', () => {
    const committed = readFileSync(new URL(`../../../${EVENT_SCHEMA_FILE}`, import.meta.url), 'utf8');
    expect(committed).toBe(renderEventJsonSchema());
  });

  it('describes every event type and the probe-result fields', () => {
    const schema = JSON.parse(renderEventJsonSchema());
    const text = JSON.stringify(schema);
    for (const type of [
      'io.crosswatch.provider.incident',
      'io.crosswatch.resource.health',
      'io.crosswatch.probe.result',
    ]) {
      expect(text).toContain(type);
    }
    const probe = schema.anyOf[1].properties.data;
    expect(probe.required).toEqual(
      expect.arrayContaining([
        'target',
        'vantage',
        'plane',
        'outcome',
        'latencyMs',
        'phases',
        'error',
        'incidentKey',
      ]),
    );
  });
});

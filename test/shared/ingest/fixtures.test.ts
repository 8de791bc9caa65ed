/**
 * A sweep over every provider sample: each one is recognized by the format its folder names, and
 * yields valid events, or (for alert types that are not health signals) a stated reason to ignore it.
 * The per-format test files assert the mapped fields of each sample.
 */
import { describe, expect, it } from 'vitest';
import { normalizeDocument } from '../../../shared/ingest/normalize.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';
import { loadInputFixtures } from '../../helpers/input-fixtures.ts';

const IGNORED = new Set([
  'azure-monitor-common/alert-context-administrative.json',
  'azure-monitor-common/envelope-metric-resolved.json',
  'azure-monitor-common/test-action-administrative.json',
  'azure-activity-log-webhook/administrative.json',
]);

// Bare alertContext fragments are activity-log records in alert form: the record normalizer takes them.
const EXPECTED_FORMAT: Record<string, string> = {
  'azure-monitor-common/alert-context-administrative.json': 'azure-activity-log-record',
  'azure-monitor-common/alert-context-resource-health.json': 'azure-activity-log-record',
  'azure-monitor-common/alert-context-service-health-maintenance-planned.json': 'azure-activity-log-record',
  'azure-monitor-common/alert-context-service-health-maintenance-planned-string-enums.json':
    'azure-activity-log-record',
};

describe('every provider sample', () => {
  it.each(loadInputFixtures().map((fixture) => [fixture.name, fixture] as const))('%s', (name, fixture) => {
    const output = normalizeDocument(fixture.document, { now: () => new Date('2026-01-22T10:00:00.000Z') });
    expect(output.format).toBe(EXPECTED_FORMAT[name] ?? fixture.source);
    if (IGNORED.has(name)) {
      expect(output.events).toEqual([]);
      expect(output.ignored).toMatch(/not a health signal|ignored|not/i);
      return;
    }
    expect(output.ignored).toBeUndefined();
    expect(output.events.length).toBeGreaterThan(0);
    for (const event of output.events) assertValidEvent(event);
  });
});

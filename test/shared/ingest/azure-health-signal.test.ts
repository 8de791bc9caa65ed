import { describe, expect, it } from 'vitest';
import {
  classifyActivityEvent,
  classifyMonitoringService,
} from '../../../shared/ingest/azure-health-signal.ts';

describe('health signal classification', () => {
  it.each([
    ['ServiceHealth', 'service-health'],
    ['Resource Health', 'resource-health'],
    ['ResourceHealth', 'resource-health'],
    ['resource health', 'resource-health'],
    ['Service Health', 'service-health'],
    ['Platform', undefined],
    ['Activity Log - Administrative', undefined],
    [undefined, undefined],
    [2, undefined],
  ])('classifyMonitoringService(%j) → %s', (value, expected) => {
    expect(classifyMonitoringService(value)).toBe(expected);
  });

  it.each([
    [
      { category: { value: 'ServiceHealth', localizedValue: 'Service Health' } },
      'service-health',
      'category',
    ],
    [{ eventSource: 'ResourceHealth' }, 'resource-health', 'eventSource'],
    [{ eventSource: 'Service Health' }, 'service-health', 'eventSource'],
    [
      { eventSource: 2, operationName: 'Microsoft.ServiceHealth/maintenance/action' },
      'service-health',
      'operationName',
    ],
    [
      { operationName: { value: 'Microsoft.Resourcehealth/healthevent/Activated/action' } },
      'resource-health',
      'operationName',
    ],
    [{ eventSource: 'Administrative', operationName: 'Microsoft.ServiceHealth/x' }, undefined, 'eventSource'],
    [{ category: { value: 'Policy' } }, undefined, 'category'],
    [{ eventSource: 7 }, undefined, 'eventSource'],
    [{}, undefined, undefined],
  ])('classifyActivityEvent(%j) → %s by %s', (record, signal, field) => {
    const classification = classifyActivityEvent(record);
    expect(classification.signal).toBe(signal);
    expect(classification.field).toBe(field);
  });
});

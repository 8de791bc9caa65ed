import { describe, expect, it } from 'vitest';
import type { CrosswatchEvent, ProviderEventData } from '../../../shared/event/schema.ts';
import { buildResourceHealthEvent } from '../../../shared/ingest/azure-resource-health-alert.ts';
import { InvalidInputError } from '../../../shared/ingest/errors.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';

const context = { receivedAt: '2026-01-22T10:00:00.000Z', evidence: null };

type Json = Record<string, unknown>;

function dataOf(event: CrosswatchEvent): ProviderEventData {
  assertValidEvent(event);
  if (event.data.provider === 'crosswatch') throw new Error('expected a provider event');
  return event.data;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('buildResourceHealthEvent', () => {
  const resourceId =
    '/subscriptions/AAAA0A0A-BB1B-CC2C-DD3D-EEEEEE4E4E4E/resourceGroups/RG/providers/Microsoft.Web/sites/shop';

  function record(properties: Json, extra: Json = {}): Json {
    return {
      eventDataId: 'E1',
      correlationId: 'C1',
      eventSource: 'ResourceHealth',
      eventTimestamp: '2026-01-21T09:00:00.0000000+00:00',
      submissionTimestamp: '2026-01-21T09:01:00.0000000+00:00',
      operationName: 'Microsoft.Resourcehealth/healthevent/Activated/action',
      resourceId,
      status: 'Active',
      properties,
      ...extra,
    };
  }

  it.each([
    ['Available', 'resolved', 'info'],
    ['Unavailable', 'active', 'error'],
    ['Degraded', 'active', 'warning'],
    ['Unknown', 'informational', 'info'],
  ])('currentHealthStatus %s → %s/%s', (health, status, severity) => {
    const data = dataOf(
      buildResourceHealthEvent(
        { record: record({ title: 'Web app health changed', currentHealthStatus: health }), path: '' },
        context,
        'azure-activity-log-webhook',
      ),
    );
    const id = resourceId.toLowerCase();
    expect(data.incidentKey).toBe(`azure-resource:${id}`);
    expect(data.updateKey).toBe(`azure-resource:${id}:e1:${health.toLowerCase()}`);
    expect(data.status).toBe(status);
    expect(data.severity).toBe(severity);
    expect(data.category).toBe('resource-health');
    expect(data.services).toEqual(['Microsoft.Web/sites']);
    expect(data.scope.resourceIds).toEqual([id]);
    expect(data.scope.subscriptionIds).toEqual(['aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e']);
    expect(data.resolvedAt).toBe(status === 'resolved' ? '2026-01-21T09:00:00.000Z' : null);
    expect(data.startedAt).toBe(status === 'resolved' ? null : '2026-01-21T09:00:00.000Z');
    expect(data.updatedAt).toBe('2026-01-21T09:01:00.000Z');
  });

  it('reads the raw activity-log names (healthStatus, healthEventType, healthEventCause, healthEventCategory)', () => {
    const data = dataOf(
      buildResourceHealthEvent(
        {
          record: record({
            title: 'Degraded',
            details: '<p>Slow &amp; flaky</p>',
            healthStatus: 'Degraded',
            healthEventType: 'Downtime',
            healthEventCause: 'PlatformInitiated',
            healthEventCategory: 'Unplanned',
          }),
          path: '',
        },
        context,
        'azure-activity-log-record',
      ),
    );
    expect(data.summary).toBe('Slow & flaky');
    expect(data.attributes).toMatchObject({
      currentHealthStatus: 'Degraded',
      type: 'Downtime',
      cause: 'PlatformInitiated',
      healthEventCategory: 'Unplanned',
    });
    expect(data.attributes.previousHealthStatus).toBeUndefined();
  });

  it('an unknown or missing health status is Unknown, with a notice', () => {
    const notices: string[] = [];
    const data = dataOf(
      buildResourceHealthEvent(
        { record: record({ currentHealthStatus: 'Sideways' }), path: 'data.alertContext' },
        context,
        'azure-monitor-common',
        notices,
      ),
    );
    expect(data.status).toBe('informational');
    expect(data.attributes.currentHealthStatus).toBe('Sideways');
    expect(data.title).toBe('shop: Sideways');
    const missing = dataOf(
      buildResourceHealthEvent(
        { record: record({}), path: 'data.alertContext' },
        context,
        'azure-monitor-common',
        notices,
      ),
    );
    expect(missing.updateKey).toMatch(/:e1:unknown$/);
    expect(notices).toEqual([
      'data.alertContext.properties.currentHealthStatus "Sideways" is not a known health status; treated as Unknown',
      'data.alertContext.properties.currentHealthStatus is missing; treated as Unknown',
    ]);
  });

  it('the first alert target wins over the record resourceId', () => {
    const target = '/subscriptions/bbbb/resourceGroups/x/providers/Microsoft.Compute/virtualMachines/vm1';
    const data = dataOf(
      buildResourceHealthEvent(
        {
          record: record({ currentHealthStatus: 'Unavailable' }, { resourceId: undefined }),
          path: 'data.alertContext',
          essentials: { alertTargetIDs: [target], alertRule: 'rh-rule', monitorCondition: 'Fired' },
        },
        context,
        'azure-monitor-common',
      ),
    );
    expect(data.incidentKey).toBe(`azure-resource:${target.toLowerCase()}`);
    expect(data.attributes).toMatchObject({ alertRule: 'rh-rule', monitorCondition: 'Fired' });
  });

  it('no resource at all: keyed by correlationId with a notice; nothing to key by: InvalidInputError', () => {
    const notices: string[] = [];
    const data = dataOf(
      buildResourceHealthEvent(
        {
          record: record({ currentHealthStatus: 'Unavailable' }, { resourceId: undefined }),
          path: 'alertContext',
        },
        context,
        'azure-activity-log-record',
        notices,
      ),
    );
    expect(data.incidentKey).toBe('azure-resource:unknown:c1');
    expect(data.scope.resourceIds).toEqual([]);
    expect(data.links).toEqual([]);
    expect(notices).toHaveLength(1);
    const error = thrown(() =>
      buildResourceHealthEvent(
        {
          record: record(
            { currentHealthStatus: 'Unavailable' },
            { resourceId: undefined, eventDataId: undefined, correlationId: undefined },
          ),
          path: 'alertContext',
        },
        context,
        'azure-activity-log-record',
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('alertContext.resourceId');
  });
});

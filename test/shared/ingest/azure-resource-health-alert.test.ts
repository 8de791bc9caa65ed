import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COLLECTIONS } from '../../../shared/engine/engine-collections.ts';
import { DEFAULT_ENGINE_CONFIG } from '../../../shared/engine/engine-config.ts';
import type { CrosswatchEvent, ProviderEventData } from '../../../shared/event/schema.ts';
import {
  createInboxEntry,
  createStoreInbox,
  INBOX_COLLECTION,
  type StoredInboxEntry,
} from '../../../shared/inbox/inbox.ts';
import { buildResourceHealthEvent } from '../../../shared/ingest/azure-resource-health-alert.ts';
import { InvalidInputError } from '../../../shared/ingest/errors.ts';
import { normalizeText } from '../../../shared/ingest/normalize.ts';
import { OUTBOX_COLLECTIONS } from '../../../shared/notify/delivery-record.ts';
import { createSilentLogger } from '../../../shared/observability/logger.ts';
import { createInMemoryMetrics } from '../../../shared/observability/metrics.ts';
import { drainInbox } from '../../../shared/pipeline/drain-inbox.ts';
import type { PipelineDeps } from '../../../shared/pipeline/pipeline-deps.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
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

describe('a Resource Health alert without a stable id', () => {
  const SAMPLE = new URL(
    '../../fixtures/azure-monitor-common/test-action-resource-health.json',
    import.meta.url,
  );
  const NOW = new Date('2025-04-15T18:20:00.000Z');

  /** The portal's test-action sample with the given alertContext ids removed. */
  function sampleWithout(ids: readonly string[]): Buffer {
    const document = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { data: { alertContext: Json } };
    for (const id of ids) delete document.data.alertContext[id];
    return Buffer.from(JSON.stringify(document));
  }

  it('is keyed by its operationId when that is the only id it carries', () => {
    const { events } = normalizeText(sampleWithout(['eventDataId', 'correlationId']), { now: () => NOW });
    expect(events[0]?.data.updateKey).toMatch(/:dddd3333-ee44-5555-66ff-777777aaaaaa:unavailable$/);
  });

  it('with no eventDataId, correlationId or operationId it is rejected, never keyed by its timestamp', () => {
    const error = thrown(() =>
      normalizeText(sampleWithout(['eventDataId', 'correlationId', 'operationId']), { now: () => NOW }),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('data.alertContext.eventDataId');
    expect((error as Error).message).toBe(
      'azure-monitor-common: field data.alertContext.eventDataId is missing: a Resource Health event needs a stable id (eventDataId, correlationId or operationId)',
    );
  });

  it('is quarantined by the pipeline like a Service Health alert without trackingId: failed, nothing decided or queued', async () => {
    const store = createMemoryStore();
    const inbox = createStoreInbox(store);
    const serviceHealth = JSON.parse(
      readFileSync(
        new URL(
          '../../fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json',
          import.meta.url,
        ),
        'utf8',
      ),
    ) as { data: { alertContext: { properties: Json } } };
    delete serviceHealth.data.alertContext.properties.trackingId;
    const bodies = [
      sampleWithout(['eventDataId', 'correlationId', 'operationId']),
      Buffer.from(JSON.stringify(serviceHealth)),
    ];
    for (const body of bodies) {
      await inbox.put(
        createInboxEntry(body, { source: 'webhook', contentType: 'application/json', receivedAt: NOW }),
      );
    }
    const deps: PipelineDeps = {
      store,
      evidence: null,
      engine: DEFAULT_ENGINE_CONFIG,
      routing: { routes: [], defaultRoute: { sinks: ['console'], fallback: [] } },
      now: () => NOW,
      logger: createSilentLogger(),
      metrics: createInMemoryMetrics(),
    };
    const summary = await drainInbox(inbox, deps);
    expect(summary).toMatchObject({ processed: 0, rejected: 2 });
    const settled = (await store.list<StoredInboxEntry>(INBOX_COLLECTION)).items
      .map((item) => item.value)
      .filter((value) => 'state' in value);
    expect(settled.map((entry) => [entry.state, entry.error?.split(' is missing')[0]])).toEqual(
      expect.arrayContaining([
        ['failed', 'azure-monitor-common: field data.alertContext.eventDataId'],
        ['failed', 'azure-monitor-common: field data.alertContext.properties.trackingId'],
      ]),
    );
    expect((await store.list(COLLECTIONS.incidents)).items).toEqual([]);
    expect((await store.list(OUTBOX_COLLECTIONS.deliveries)).items).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { azureActivityLogWebhookFormat } from '../../../shared/ingest/azure-activity-log-webhook.ts';
import { azureMonitorCommonFormat } from '../../../shared/ingest/azure-monitor-common.ts';
import { InvalidInputError, NormalizeError } from '../../../shared/ingest/errors.ts';
import { normalizeText } from '../../../shared/ingest/normalize.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';
import {
  createFormatHarness,
  dataOf,
  FIXED_NOW,
  FORMAT_CONTEXT,
  type Json,
  thrown,
} from '../../helpers/format-harness.ts';

const context = FORMAT_CONTEXT;
const { normalize, single } = createFormatHarness(azureActivityLogWebhookFormat);
const now = FIXED_NOW;

function load(variant: string): Json {
  return JSON.parse(
    readFileSync(
      new URL(`../../fixtures/azure-activity-log-webhook/${variant}.json`, import.meta.url),
      'utf8',
    ),
  ) as Json;
}

function loadRaw(variant: string): string {
  return readFileSync(
    new URL(`../../fixtures/azure-activity-log-webhook/${variant}.json`, import.meta.url),
    'utf8',
  );
}

function activityLogOf(document: Json): Json {
  return ((document.data as Json).context as Json).activityLog as Json;
}

/** A fixture with activityLog fields and properties replaced; undefined values delete the key. */
function variantOf(variant: string, activityLog: Json = {}, properties: Json = {}): Json {
  const document = structuredClone(load(variant));
  const log = activityLogOf(document);
  Object.assign(log, activityLog);
  if (log.properties !== undefined) Object.assign(log.properties as Json, properties);
  for (const record of [log, (log.properties ?? {}) as Json]) {
    for (const [key, value] of Object.entries(record)) if (value === undefined) delete record[key];
  }
  return document;
}

describe('azureActivityLogWebhookFormat.matches', () => {
  it.each(['service-health-incident-active', 'resource-health', 'administrative'])('claims %s', (variant) => {
    expect(azureActivityLogWebhookFormat.matches(load(variant))).toBe(true);
  });

  it('compares the schemaId case-insensitively, and knows the envelope without one', () => {
    expect(azureActivityLogWebhookFormat.matches({ schemaId: 'microsoft.insights/ACTIVITYLOGS' })).toBe(true);
    expect(azureActivityLogWebhookFormat.matches({ data: { context: { activityLog: {} } } })).toBe(true);
  });

  it.each([
    [
      'the common schema',
      { schemaId: 'azureMonitorCommonAlertSchema', data: { context: { activityLog: {} } } },
    ],
    ['another schemaId', { schemaId: 'Microsoft.Insights/LogAlert' }],
    ['an activityLog that is not an object', { data: { context: { activityLog: 'x' } } }],
    ['null', null],
    ['an array', []],
    ['a number', 7],
  ])('rejects %s', (_label, document) => {
    expect(azureActivityLogWebhookFormat.matches(document)).toBe(false);
  });

  it('the common-schema format does not claim legacy payloads', () => {
    expect(azureMonitorCommonFormat.matches(load('service-health-incident-active'))).toBe(false);
  });
});

describe('azure-activity-log-webhook fixtures', () => {
  it('service-health-incident-active: an active incident with a string-encoded impactedServices', () => {
    const result = normalize(load('service-health-incident-active'));
    expect(result.notices).toEqual([]);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.provider.incident');
    expect(event?.source).toBe('/crosswatch/azure-activity-log-webhook');
    expect(event?.subject).toBe('azure:0NIH-U2O');
    const data = dataOf(event);
    expect(data).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-activity-log-webhook',
      incidentKey: 'azure:0NIH-U2O',
      updateKey: 'azure:0NIH-U2O:636439673646212912:active',
      category: 'incident',
      status: 'active',
      severity: 'info',
      // properties.title, not the description "Active: Virtual Machines - Australia East".
      title: 'Virtual Machines - Australia East',
      summary: expect.any(String),
      services: ['Virtual Machines'],
      regions: ['Australia East'],
      scope: {
        tenantIds: [],
        subscriptionIds: ['cccc2c2c-dd3d-ee4e-ff5f-aaaaaa6a6a6a'],
        accountIds: [],
        resourceIds: [],
      },
      startedAt: '2017-10-18T02:48:00.000Z',
      updatedAt: '2017-10-18T23:49:28.786Z',
      resolvedAt: null,
      links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/0NIH-U2O/ccca6a' }],
      evidence: null,
      stage: 'Active',
      attributes: {
        trackingId: '0NIH-U2O',
        communicationId: '636439673646212912',
        incidentType: 'Incident',
        stage: 'Active',
        level: 'Informational',
        eventDataId: '6fa98c0f-334a-b066-1934-1a4b3d929856',
        correlationId: 'cccc2222-dd33-4444-55ee-666666ffffff',
      },
    });
    // Entities decoded: &quot;deallocated&quot; → "deallocated".
    const content = (activityLogOf(load('service-health-incident-active')).properties as Json)
      .defaultLanguageContent as string;
    expect(data.summary).toBe(content.replaceAll('&quot;', '"'));
    expect(data.summary).toMatch(
      /^Starting at 02:48 UTC on 18 Oct 2017 you have been identified as a customer/,
    );
    expect(data.summary).toContain('stopped "deallocated" or suspended state');
    expect(data.summary).not.toContain('&quot;');
    expect(data.summary).toMatch(/The next update will be provided as events warrant\.$/);
  });

  it('resource-health: a VM became unavailable (placeholders kept, lower-cased)', () => {
    const result = normalize(load('resource-health'));
    expect(result.notices).toEqual([]);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.resource.health');
    const resourceId =
      '/subscriptions/<subscription id>/resourcegroups/<resource group>/providers/microsoft.compute/virtualmachines/<resource name>';
    expect(dataOf(event)).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-activity-log-webhook',
      incidentKey: `azure-resource:${resourceId}`,
      updateKey: `azure-resource:${resourceId}:2b37e2d0-7bda-4de7-ur8c6-1447d02265b2:unavailable`,
      category: 'resource-health',
      status: 'active',
      severity: 'error',
      title: 'Virtual Machine health status changed to unavailable',
      summary: 'Virtual machine has experienced an unexpected event',
      services: ['Microsoft.Compute/virtualMachines'],
      regions: [],
      scope: {
        tenantIds: [],
        subscriptionIds: ['<subscription id>'],
        accountIds: [],
        resourceIds: [resourceId],
      },
      startedAt: '2018-09-04T23:09:03.343Z',
      updatedAt: '2018-09-04T23:11:06.160Z',
      resolvedAt: null,
      links: [
        {
          label: 'Azure Resource Health',
          url: 'https://portal.azure.com/#resource/subscriptions/%3Csubscription%20id%3E/resourcegroups/%3Cresource%20group%3E/providers/microsoft.compute/virtualmachines/%3Cresource%20name%3E/resourceHealth',
        },
      ],
      evidence: null,
      stage: 'Active',
      attributes: {
        currentHealthStatus: 'Unavailable',
        previousHealthStatus: 'Available',
        type: 'Downtime',
        cause: 'PlatformInitiated',
        resourceType: 'Microsoft.Compute/virtualMachines',
        level: 'Informational',
        eventDataId: '2b37e2d0-7bda-4de7-ur8c6-1447d02265b2',
        correlationId: 'dddd3333-ee44-5555-66ff-777777aaaaaa',
      },
    });
  });

  it('administrative: recognized and ignored with the reason', () => {
    expect(normalize(load('administrative'))).toEqual({
      events: [],
      ignored: 'Azure activity-log alert without eventSource is not a health signal',
      notices: [],
    });
  });

  it.each(['Administrative', 'Security', 'Policy', 'Recommendation', 'Autoscale'])(
    'eventSource %s is ignored with the reason',
    (eventSource) => {
      const result = normalize(variantOf('administrative', { eventSource }));
      expect(result.events).toEqual([]);
      expect(result.ignored).toBe(
        `Azure activity-log alert with eventSource "${eventSource}" is not a health signal`,
      );
    },
  );

  it('detection routes the fixture through normalizeText', () => {
    const output = normalizeText(loadRaw('service-health-incident-active'), { now });
    expect(output.format).toBe('azure-activity-log-webhook');
    for (const event of output.events) assertValidEvent(event);
    expect(dataOf(output.events[0]).updateKey).toBe('azure:0NIH-U2O:636439673646212912:active');
    expect(dataOf(output.events[0]).evidence?.contentHash).toMatch(/^sha256:/);
    const ignored = normalizeText(loadRaw('administrative'), { now });
    expect(ignored.format).toBe('azure-activity-log-webhook');
    expect(ignored.ignored).toBe('Azure activity-log alert without eventSource is not a health signal');
  });
});

describe('legacy quirks', () => {
  it('eventSource is compared case- and space-insensitively', () => {
    expect(
      single(variantOf('service-health-incident-active', { eventSource: 'Service Health' })).incidentKey,
    ).toBe('azure:0NIH-U2O');
    expect(single(variantOf('resource-health', { eventSource: 'resourcehealth' })).category).toBe(
      'resource-health',
    );
  });

  it('without eventSource, the operation name identifies a Service Health event', () => {
    const data = single(variantOf('service-health-incident-active', { eventSource: undefined }));
    expect(data.incidentKey).toBe('azure:0NIH-U2O');
  });

  it('without a title, the description loses its "Active: " stage prefix', () => {
    const data = single(
      variantOf('service-health-incident-active', {}, { title: undefined, defaultLanguageTitle: undefined }),
    );
    expect(data.title).toBe('Virtual Machines - Australia East');
  });

  it('the same update delivered to another subscription has the same updateKey, another scope', () => {
    const first = normalize(load('service-health-incident-active')).events[0];
    const other = normalize(
      variantOf('service-health-incident-active', {
        subscriptionId: 'dddd3d3d-ee4e-ff5f-aa6a-bbbbbb7b7b7b',
        eventDataId: '11111111-0000-0000-0000-000000000001',
        submissionTimestamp: '2017-10-18T23:49:31.0000000+00:00',
      }),
    ).events[0];
    expect(dataOf(other).updateKey).toBe(dataOf(first).updateKey);
    expect(dataOf(other).incidentKey).toBe(dataOf(first).incidentKey);
    expect(dataOf(other).scope.subscriptionIds).toEqual(['dddd3d3d-ee4e-ff5f-aa6a-bbbbbb7b7b7b']);
    expect(dataOf(other).links[0]?.url).toBe('https://app.azure.com/h/0NIH-U2O/dddb7b');
    expect(other?.id).not.toBe(first?.id);
  });

  it('a new communication and the resolution are new updates of the same incident', () => {
    const active = single(load('service-health-incident-active'));
    const update = single(
      variantOf('service-health-incident-active', {}, { communicationId: '636439700000000000' }),
    );
    const resolved = single(
      variantOf(
        'service-health-incident-active',
        { status: 'Resolved', eventTimestamp: '2017-10-19T03:00:00.0000000+00:00' },
        {
          communicationId: '636439800000000000',
          stage: 'Resolved',
          impactMitigationTime: '2017-10-19T02:30:00.0000000Z',
        },
      ),
    );
    expect(new Set([active.updateKey, update.updateKey, resolved.updateKey]).size).toBe(3);
    expect(new Set([active.incidentKey, update.incidentKey, resolved.incidentKey]).size).toBe(1);
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).toBe('2017-10-19T02:30:00.000Z');
    expect(resolved.updateKey).toBe('azure:0NIH-U2O:636439800000000000:resolved');
  });

  it('the same update as a common-schema alert has the same keys', () => {
    const legacy = single(load('service-health-incident-active'));
    const common = azureMonitorCommonFormat.normalize(
      {
        schemaId: 'azureMonitorCommonAlertSchema',
        data: {
          essentials: {
            monitoringService: 'ServiceHealth',
            alertTargetIDs: ['/subscriptions/cccc2c2c-dd3d-ee4e-ff5f-aaaaaa6a6a6a'],
          },
          alertContext: activityLogOf(load('service-health-incident-active')),
        },
      },
      context,
    ).events[0];
    expect(dataOf(common).incidentKey).toBe(legacy.incidentKey);
    expect(dataOf(common).updateKey).toBe(legacy.updateKey);
    expect(dataOf(common).scope).toEqual(legacy.scope);
  });

  it('a resolved Resource Health transition (Available) resolves the resource incident', () => {
    const data = single(
      variantOf(
        'resource-health',
        { eventDataId: 'f00d', status: 'Resolved' },
        { currentHealthStatus: 'Available', previousHealthStatus: 'Unavailable', title: 'Available again' },
      ),
    );
    expect(data.status).toBe('resolved');
    expect(data.severity).toBe('info');
    expect(data.resolvedAt).toBe('2018-09-04T23:09:03.343Z');
    expect(data.updateKey).toMatch(/:f00d:available$/);
    expect(data.incidentKey).toBe(single(load('resource-health')).incidentKey);
  });
});

describe('invalid legacy alerts', () => {
  it.each([
    ['data', { schemaId: 'Microsoft.Insights/activityLogs' }],
    [
      'data.context.activityLog',
      { schemaId: 'Microsoft.Insights/activityLogs', data: { status: 'Activated' } },
    ],
    [
      'data.context.activityLog',
      { schemaId: 'Microsoft.Insights/activityLogs', data: { context: { activityLog: 3 } } },
    ],
    [
      'data.context.activityLog.properties.trackingId',
      variantOf('service-health-incident-active', {}, { trackingId: undefined }),
    ],
  ])('names %s', (field, document) => {
    const error = thrown(() => azureActivityLogWebhookFormat.normalize(document, context));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect((error as InvalidInputError).format).toBe('azure-activity-log-webhook');
  });

  it.each([
    null,
    'x',
    [[]],
    { data: { context: { activityLog: { eventSource: 'ServiceHealth', properties: 'oops' } } } },
  ])('throws only NormalizeError for %j', (document) => {
    expect(thrown(() => azureActivityLogWebhookFormat.normalize(document, context))).toBeInstanceOf(
      NormalizeError,
    );
  });
});

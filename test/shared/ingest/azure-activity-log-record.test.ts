import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { azureActivityLogRecordFormat } from '../../../shared/ingest/azure-activity-log-record.ts';
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
const { normalize, single } = createFormatHarness(azureActivityLogRecordFormat);
const now = FIXED_NOW;
const RAW_RESOURCE_ID =
  '/subscriptions/<subscription id>/resourcegroups/<resource group>/providers/microsoft.compute/virtualmachines/<resource name>';

function fixtureUrl(source: string, variant: string): URL {
  return new URL(`../../fixtures/${source}/${variant}.json`, import.meta.url);
}

function load(variant: string, source = 'azure-activity-log-record'): Json {
  return JSON.parse(readFileSync(fixtureUrl(source, variant), 'utf8')) as Json;
}

/** A raw record fixture with fields and properties replaced; undefined values delete the key. */
function variantOf(variant: string, fields: Json = {}, properties: Json = {}): Json {
  const record = structuredClone(load(variant));
  Object.assign(record, fields);
  Object.assign(record.properties as Json, properties);
  for (const target of [record, record.properties as Json]) {
    for (const [key, value] of Object.entries(target)) if (value === undefined) delete target[key];
  }
  return record;
}

/** The activity-log record of an Administrative operation, as the REST API lists it. */
const ADMINISTRATIVE_RECORD: Json = {
  authorization: { action: 'Microsoft.Compute/virtualMachines/restart/action', scope: '/subscriptions/s1/x' },
  caller: 'user@contoso.com',
  channels: 'Operation',
  correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd',
  eventDataId: 'bbbbcccc-1111-dddd-2222-eeee3333ffff',
  category: { value: 'Administrative', localizedValue: 'Administrative' },
  eventTimestamp: '2019-03-22T13:56:31.2917159Z',
  level: 'Informational',
  operationName: {
    value: 'Microsoft.Compute/virtualMachines/restart/action',
    localizedValue: 'Restart Virtual Machine',
  },
  status: { value: 'Succeeded', localizedValue: 'Succeeded' },
  submissionTimestamp: '2019-03-22T13:56:54.067593Z',
};

describe('azureActivityLogRecordFormat.matches', () => {
  it.each(['service-health-incident-active', 'resource-health'])('claims the raw record %s', (variant) => {
    expect(azureActivityLogRecordFormat.matches(load(variant))).toBe(true);
  });

  it.each([
    'alert-context-administrative',
    'alert-context-resource-health',
    'alert-context-service-health-maintenance-planned',
    'alert-context-service-health-maintenance-planned-string-enums',
  ])('claims the common-schema fragment %s, wrapped and bare', (variant) => {
    const fragment = load(variant, 'azure-monitor-common');
    expect(azureActivityLogRecordFormat.matches(fragment)).toBe(true);
    expect(azureActivityLogRecordFormat.matches(fragment.alertContext)).toBe(true);
  });

  it('claims value[] lists and bare arrays of records', () => {
    const record = load('service-health-incident-active');
    expect(azureActivityLogRecordFormat.matches({ value: [record] })).toBe(true);
    expect(azureActivityLogRecordFormat.matches({ value: [null, 'x', record], nextLink: 'https://x' })).toBe(
      true,
    );
    expect(azureActivityLogRecordFormat.matches([ADMINISTRATIVE_RECORD])).toBe(true);
  });

  it('does not claim Graph, Resource Health REST, AWS Health or common-schema payloads', () => {
    const others = [
      ...readdirSync(new URL('../../fixtures/m365-graph/', import.meta.url)).map((file) =>
        load(file.replace(/\.json$/, ''), 'm365-graph'),
      ),
      ...readdirSync(new URL('../../fixtures/azure-resource-health-api/', import.meta.url)).map(
        (file) =>
          (
            load(file.replace(/\.json$/, ''), 'azure-resource-health-api') as {
              responses: { 200: { body: unknown } };
            }
          ).responses[200].body,
      ),
      ...readdirSync(new URL('../../fixtures/aws-health/', import.meta.url)).map((file) =>
        load(file.replace(/\.json$/, ''), 'aws-health'),
      ),
      load('test-action-service-health-incident-resolved', 'azure-monitor-common'),
      load('service-health-incident-active', 'azure-activity-log-webhook'),
    ];
    expect(others.length).toBeGreaterThan(10);
    for (const document of others) expect(azureActivityLogRecordFormat.matches(document)).toBe(false);
  });

  it.each([
    [
      'no operationName',
      { eventDataId: 'x', eventTimestamp: '2020-01-01T00:00:00Z', category: 'ServiceHealth' },
    ],
    ['no id', { operationName: 'x', eventTimestamp: '2020-01-01T00:00:00Z', category: 'ServiceHealth' }],
    ['no time', { eventDataId: 'x', operationName: 'x', category: 'ServiceHealth' }],
    [
      'no category or eventSource',
      { eventDataId: 'x', operationName: 'x', eventTimestamp: '2020-01-01T00:00:00Z' },
    ],
    ['null fields', { eventDataId: null, operationName: null, eventTimestamp: null, category: null }],
    ['an empty list', { value: [] }],
    ['a list of junk', { value: [1, 'a', null, {}] }],
    ['null', null],
    ['a string', 'ServiceHealth'],
  ])('rejects %s', (_label, document) => {
    expect(azureActivityLogRecordFormat.matches(document)).toBe(false);
  });

  it('looks at field names case-insensitively (PowerShell output)', () => {
    expect(
      azureActivityLogRecordFormat.matches({
        EventDataId: 'x',
        OperationName: 'Microsoft.ServiceHealth/incident/action',
        EventTimestamp: '2020-01-01T00:00:00Z',
        Category: 'ServiceHealth',
      }),
    ).toBe(true);
  });
});

describe('azure-activity-log-record fixtures', () => {
  it('service-health-incident-active: wrapped enums, raw level Warning', () => {
    const result = normalize(load('service-health-incident-active'));
    expect(result.notices).toEqual([]);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.provider.incident');
    expect(event?.source).toBe('/crosswatch/azure-activity-log-record');
    const data = dataOf(event);
    expect(data).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-activity-log-record',
      incidentKey: 'azure:NA0F-BJG',
      updateKey: 'azure:NA0F-BJG:636361902146035247:active',
      category: 'incident',
      status: 'active',
      severity: 'warning',
      title: 'Network Infrastructure - UK South',
      summary: expect.any(String),
      services: ['Service Fabric'],
      regions: ['UK South'],
      scope: { tenantIds: [], subscriptionIds: ['<subscription id>'], accountIds: [], resourceIds: [] },
      startedAt: '2017-07-20T21:41:00.000Z',
      updatedAt: '2017-07-20T23:30:34.743Z',
      resolvedAt: null,
      // The documentation's placeholder subscription cannot shorten into the link.
      links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/NA0F-BJG' }],
      evidence: null,
      stage: 'Active',
      attributes: {
        trackingId: 'NA0F-BJG',
        communicationId: '636361902146035247',
        incidentType: 'Incident',
        stage: 'Active',
        level: 'Warning',
        eventDataId: 'bbbb1b1b-cc2c-dd3d-ee4e-ffffff5f5f5f',
        correlationId: 'bbbb1111-cc22-3333-44dd-555555eeeeee',
      },
    });
    expect(data.summary).toBe((load('service-health-incident-active').properties as Json).communication);
    expect(data.summary).toMatch(
      /^Starting at approximately 21:41 UTC on 20 Jul 2017, a subset of customers in UK South/,
    );
    expect(data.summary).toMatch(/The next update will be provided in 60 minutes, or as events warrant\.$/);
  });

  it('resource-health: the raw record names (healthStatus, healthEventType, healthEventCause, healthEventCategory)', () => {
    const result = normalize(load('resource-health'));
    expect(result.notices).toEqual([]);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.resource.health');
    expect(dataOf(event)).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-activity-log-record',
      incidentKey: `azure-resource:${RAW_RESOURCE_ID}`,
      updateKey: `azure-resource:${RAW_RESOURCE_ID}:a80024e1-883d-37ur-8b01-7591a1befccb:unavailable`,
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
        resourceIds: [RAW_RESOURCE_ID],
      },
      startedAt: '2018-09-04T15:33:43.650Z',
      updatedAt: '2018-09-04T15:36:24.224Z',
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
        type: 'Downtime',
        cause: 'PlatformInitiated',
        healthEventCategory: 'Unplanned',
        resourceType: 'Microsoft.Compute/virtualMachines',
        level: 'Critical',
        eventDataId: 'a80024e1-883d-37ur-8b01-7591a1befccb',
        correlationId: 'cccc2222-dd33-4444-55ee-666666ffffff',
      },
    });
  });

  it('detection routes a raw record through normalizeText', () => {
    const output = normalizeText(readFileSync(fixtureUrl('azure-activity-log-record', 'resource-health')), {
      now,
    });
    expect(output.format).toBe('azure-activity-log-record');
    for (const event of output.events) assertValidEvent(event);
    expect(dataOf(output.events[0]).incidentKey).toBe(`azure-resource:${RAW_RESOURCE_ID}`);
    expect(dataOf(output.events[0]).evidence?.contentHash).toMatch(/^sha256:/);
  });
});

describe('common-schema alertContext fragments (test/fixtures/azure-monitor-common)', () => {
  const maintenance = {
    schemaVersion: 1,
    provider: 'azure',
    origin: 'azure-activity-log-record',
    incidentKey: 'azure:<GUID>',
    updateKey: 'azure:<GUID>:<GUID>:planned',
    category: 'maintenance',
    status: 'scheduled',
    severity: 'info',
    title: 'Azure Synapse Analytics Scheduled Maintenance Pending',
    // A placeholder, not an HTML element: kept as text.
    summary: '<MESSAGE>',
    services: ['Azure Synapse Analytics'],
    regions: ['East US'],
    scope: { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] },
    startedAt: '2019-06-26T04:00:00.000Z',
    updatedAt: '2019-06-24T11:31:31.714Z',
    resolvedAt: null,
    links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/%3CGUID%3E' }],
    evidence: null,
    stage: 'Planned',
    attributes: {
      trackingId: '<GUID>',
      communicationId: '<GUID>',
      incidentType: 'Maintenance',
      stage: 'Planned',
      level: 'Informational',
      isHIR: false,
      maintenanceId: '<GUID>',
      eventDataId: '<GUID>',
      correlationId: 'bbbb1111-cc22-3333-44dd-555555eeeeee',
      plannedEnd: '2019-06-26T12:00:00.000Z',
    },
  };

  it('alert-context-service-health-maintenance-planned: numeric eventSource 2 and level 3', () => {
    const fragment = load('alert-context-service-health-maintenance-planned', 'azure-monitor-common');
    const result = normalize(fragment);
    expect(result.notices).toEqual([]);
    expect(result.events[0]?.type).toBe('io.crosswatch.provider.incident');
    expect(dataOf(result.events[0])).toEqual(maintenance);
    // The bare alertContext object, without the wrapper, is the same event.
    expect(single(fragment.alertContext)).toEqual(maintenance);
  });

  it('alert-context-service-health-maintenance-planned-string-enums: the same event from string enums', () => {
    expect(
      single(load('alert-context-service-health-maintenance-planned-string-enums', 'azure-monitor-common')),
    ).toEqual(maintenance);
  });

  it('alert-context-resource-health: no resource named, keyed by correlationId with a notice', () => {
    const result = normalize(load('alert-context-resource-health', 'azure-monitor-common'));
    expect(result.notices).toEqual([
      'alertContext names no resource (no essentials.alertTargetIDs or resourceId); keyed by its correlationId',
    ]);
    expect(result.events[0]?.type).toBe('io.crosswatch.resource.health');
    expect(dataOf(result.events[0])).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-activity-log-record',
      incidentKey: 'azure-resource:unknown:<guid>',
      updateKey: 'azure-resource:unknown:<guid>:<guid>:unavailable',
      category: 'resource-health',
      status: 'active',
      severity: 'error',
      title:
        'This virtual machine is stopping and deallocating as requested by an authorized user or process',
      summary:
        'This virtual machine is stopping and deallocating as requested by an authorized user or process',
      services: [],
      regions: [],
      scope: { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] },
      startedAt: '2019-06-24T15:42:54.074Z',
      updatedAt: '2019-06-24T15:45:20.448Z',
      resolvedAt: null,
      links: [],
      evidence: null,
      stage: 'Active',
      attributes: {
        currentHealthStatus: 'Unavailable',
        previousHealthStatus: 'Available',
        type: 'Downtime',
        cause: 'UserInitiated',
        level: 'Informational',
        eventDataId: '<GUID>',
        correlationId: '<GUID>',
      },
    });
  });

  it('a fragment with essentials uses them (targets, alert rule)', () => {
    const fragment = load('alert-context-resource-health', 'azure-monitor-common');
    const target =
      '/subscriptions/22222222-3333-4444-5555-666666666666/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM';
    const data = single({ ...fragment, essentials: { alertTargetIDs: [target], alertRule: 'rh' } });
    expect(data.incidentKey).toBe(`azure-resource:${target.toLowerCase()}`);
    expect(data.scope.subscriptionIds).toEqual(['22222222-3333-4444-5555-666666666666']);
    expect(data.attributes.alertRule).toBe('rh');
  });

  it('alert-context-administrative: recognized and ignored with the reason', () => {
    expect(normalize(load('alert-context-administrative', 'azure-monitor-common'))).toEqual({
      events: [],
      ignored: 'Azure activity-log record with eventSource "Administrative" is not a health signal',
      notices: [],
    });
  });

  it('detection routes a fragment through normalizeText', () => {
    const output = normalizeText(
      readFileSync(fixtureUrl('azure-monitor-common', 'alert-context-service-health-maintenance-planned')),
      { now },
    );
    expect(output.format).toBe('azure-activity-log-record');
    expect(dataOf(output.events[0]).updateKey).toBe('azure:<GUID>:<GUID>:planned');
  });
});

describe('activity-log lists', () => {
  it('a REST value[] page: one event per health record, other records skipped with notices', () => {
    const result = normalize({
      value: [
        load('service-health-incident-active'),
        ADMINISTRATIVE_RECORD,
        'junk',
        load('resource-health'),
        variantOf('service-health-incident-active', {}, { trackingId: undefined }),
      ],
      nextLink:
        'https://management.azure.com/subscriptions/x/providers/microsoft.insights/eventtypes/management/values?$skipToken=abc',
    });
    expect(result.ignored).toBeUndefined();
    expect(result.events.map((event) => dataOf(event).incidentKey)).toEqual([
      'azure:NA0F-BJG',
      `azure-resource:${RAW_RESOURCE_ID}`,
    ]);
    expect(result.notices).toEqual([
      'value[1] skipped: activity-log record with category "Administrative" is not a health signal',
      'value[2] skipped: not an activity-log record',
      'value[4] skipped: azure-activity-log-record: field value[4].properties.trackingId is missing: a Service Health event needs its trackingId',
      'the list has more pages (nextLink): only this page was normalized; follow nextLink for the rest',
    ]);
  });

  it('a bare array (az monitor activity-log list) works the same', () => {
    const result = normalize([load('resource-health'), load('service-health-incident-active')]);
    expect(result.events.map((event) => event.type)).toEqual([
      'io.crosswatch.resource.health',
      'io.crosswatch.provider.incident',
    ]);
    expect(result.notices).toEqual([]);
  });

  it('a list without any health record is ignored with the reason', () => {
    const result = normalize({ value: [ADMINISTRATIVE_RECORD, ADMINISTRATIVE_RECORD] });
    expect(result.events).toEqual([]);
    expect(result.ignored).toBe(
      'none of the 2 activity-log record(s) is a health signal (ServiceHealth or ResourceHealth)',
    );
    expect(result.notices).toHaveLength(2);
  });

  it('a list whose only health records are broken throws the first error', () => {
    const error = thrown(() =>
      azureActivityLogRecordFormat.normalize(
        { value: [variantOf('service-health-incident-active', {}, { trackingId: undefined })] },
        context,
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('value[0].properties.trackingId');
  });

  it('a list of one incident via 3 subscriptions: one updateKey, three scopes', () => {
    const subscriptions = [
      'a1b2c3d4-0000-0000-0000-000000000001',
      'b1b2c3d4-0000-0000-0000-000000000002',
      'c1b2c3d4-0000-0000-0000-000000000003',
    ];
    const result = normalize({
      value: subscriptions.map((subscriptionId, index) =>
        variantOf('service-health-incident-active', {
          subscriptionId,
          resourceId: `/subscriptions/${subscriptionId}`,
          eventDataId: `e-${index}`,
          id: `/subscriptions/${subscriptionId}/events/e-${index}/ticks/1`,
        }),
      ),
    });
    const data = result.events.map(dataOf);
    expect(new Set(data.map((d) => d.updateKey))).toEqual(
      new Set(['azure:NA0F-BJG:636361902146035247:active']),
    );
    expect(data.map((d) => d.scope.subscriptionIds)).toEqual(subscriptions.map((s) => [s]));
    expect(new Set(result.events.map((event) => event.id)).size).toBe(3);
  });
});

describe('raw record quirks', () => {
  it('the same update as a raw record and as a common-schema alert has the same keys', () => {
    const record = load('service-health-incident-active');
    const fromRecord = single(record);
    const fromAlert = dataOf(
      azureMonitorCommonFormat.normalize(
        {
          schemaId: 'azureMonitorCommonAlertSchema',
          data: { essentials: { monitoringService: 'ServiceHealth' }, alertContext: record },
        },
        context,
      ).events[0],
    );
    expect(fromAlert.incidentKey).toBe(fromRecord.incidentKey);
    expect(fromAlert.updateKey).toBe(fromRecord.updateKey);
  });

  it('a resolved follow-up has a new updateKey, the same incidentKey', () => {
    const resolved = single(
      variantOf(
        'service-health-incident-active',
        {
          status: { value: 'Resolved', localizedValue: 'Resolved' },
          eventTimestamp: '2017-07-21T01:00:00.0000000Z',
          submissionTimestamp: '2017-07-21T01:00:10.0000000Z',
        },
        {
          stage: 'Resolved',
          communicationId: '636362000000000000',
          impactMitigationTime: '2017-07-21T00:30:00Z',
        },
      ),
    );
    expect(resolved.incidentKey).toBe('azure:NA0F-BJG');
    expect(resolved.updateKey).toBe('azure:NA0F-BJG:636362000000000000:resolved');
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).toBe('2017-07-21T00:30:00.000Z');
  });

  it('a missing stage falls back to the wrapped status', () => {
    const data = single(
      variantOf(
        'service-health-incident-active',
        { status: { value: 'Resolved', localizedValue: 'Resolved' } },
        { stage: undefined },
      ),
    );
    expect(data.status).toBe('resolved');
    expect(data.stage).toBe('Resolved');
  });

  it('Resource Health back to Available resolves at the event time', () => {
    const data = single(
      variantOf(
        'resource-health',
        { eventDataId: 'B0B', status: { value: 'Resolved' } },
        {
          healthStatus: 'Available',
          stage: 'Resolved',
          title: 'Virtual Machine health status changed to available',
        },
      ),
    );
    expect(data.status).toBe('resolved');
    expect(data.severity).toBe('info');
    expect(data.startedAt).toBeNull();
    expect(data.resolvedAt).toBe('2018-09-04T15:33:43.650Z');
    expect(data.updateKey).toBe(`azure-resource:${RAW_RESOURCE_ID}:b0b:available`);
    expect(data.stage).toBe('Resolved');
  });

  it('a record with an unparseable time falls back to receivedAt', () => {
    const data = single(
      variantOf('resource-health', {
        eventTimestamp: 'yesterday',
        submissionTimestamp: 'Thu, 31 Feb 2018 00:00:00 GMT',
      }),
    );
    expect(data.updatedAt).toBe(context.receivedAt);
    expect(data.startedAt).toBeNull();
  });

  it('direct calls with something else throw only NormalizeError', () => {
    for (const document of [null, 3, 'x', {}, { value: [] }, { value: [1, 2] }, []]) {
      expect(thrown(() => azureActivityLogRecordFormat.normalize(document, context))).toBeInstanceOf(
        NormalizeError,
      );
    }
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProviderEventData } from '../../../shared/event/schema.ts';
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
const { normalize, single } = createFormatHarness(azureMonitorCommonFormat);
const now = FIXED_NOW;
const TEST_SUBSCRIPTION = 'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e';
const TEST_VM = `/subscriptions/${TEST_SUBSCRIPTION}/resourcegroups/test-RG/providers/microsoft.compute/virtualmachines/test-VM`;

function load(variant: string): Json {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/azure-monitor-common/${variant}.json`, import.meta.url), 'utf8'),
  ) as Json;
}

function loadRaw(variant: string): string {
  return readFileSync(
    new URL(`../../fixtures/azure-monitor-common/${variant}.json`, import.meta.url),
    'utf8',
  );
}

/** The Service Health test-action alert with essentials, alertContext and properties fields replaced. */
function serviceHealthAlert(
  options: { subscription?: string; properties?: Json; alertContext?: Json; essentials?: Json } = {},
): Json {
  const document = structuredClone(load('test-action-service-health-incident-resolved'));
  const data = document.data as Json;
  const essentials = data.essentials as Json;
  const alertContext = data.alertContext as Json;
  if (options.subscription !== undefined) {
    essentials.alertTargetIDs = [`/subscriptions/${options.subscription}`];
    essentials.alertId = `/subscriptions/${options.subscription}/providers/Microsoft.AlertsManagement/alerts/${options.subscription.slice(0, 8)}`;
  }
  Object.assign(essentials, options.essentials ?? {});
  Object.assign(alertContext, options.alertContext ?? {});
  Object.assign(alertContext.properties as Json, options.properties ?? {});
  for (const record of [essentials, alertContext, alertContext.properties as Json]) {
    for (const [key, value] of Object.entries(record)) if (value === undefined) delete record[key];
  }
  return document;
}

/** A bare alertContext fragment wrapped in a common-schema envelope with the given essentials. */
function wrapAlertContext(variant: string, essentials: Json): Json {
  const fragment = load(variant);
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: { essentials, alertContext: fragment.alertContext },
  };
}

const SERVICE_HEALTH_ESSENTIALS: Json = {
  alertId:
    '/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.AlertsManagement/alerts/abc',
  alertRule: 'sh-maintenance',
  severity: 'Sev4',
  signalType: 'ActivityLog',
  monitorCondition: 'Fired',
  monitoringService: 'ServiceHealth',
  alertTargetIDs: ['/subscriptions/11111111-2222-3333-4444-555555555555'],
  firedDateTime: '2019-06-24T11:31:40.000Z',
};

describe('azureMonitorCommonFormat.matches', () => {
  it.each([
    'test-action-service-health-incident-resolved',
    'test-action-resource-health',
    'test-action-administrative',
    'envelope-metric-resolved',
  ])('claims %s', (variant) => {
    expect(azureMonitorCommonFormat.matches(load(variant))).toBe(true);
  });

  it('compares the schemaId case-insensitively', () => {
    expect(azureMonitorCommonFormat.matches({ schemaId: 'AzureMonitorCommonAlertSchema', data: {} })).toBe(
      true,
    );
    expect(azureMonitorCommonFormat.matches({ schemaId: ' azuremonitorcommonalertschema ' })).toBe(true);
  });

  it.each([
    ['the legacy schema', { schemaId: 'Microsoft.Insights/activityLogs', data: {} }],
    ['a bare alertContext fragment', { alertContext: {} }],
    ['a schemaId of another type', { schemaId: 42 }],
    ['a wrapped schemaId', { schemaId: { value: 'azureMonitorCommonAlertSchema' } }],
    ['null', null],
    ['an array', [{ schemaId: 'azureMonitorCommonAlertSchema' }]],
    ['a string', 'azureMonitorCommonAlertSchema'],
  ])('rejects %s', (_label, document) => {
    expect(azureMonitorCommonFormat.matches(document)).toBe(false);
  });

  it('never throws, even on a hostile object', () => {
    const hostile = Object.defineProperty({}, 'schemaId', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(azureMonitorCommonFormat.matches(hostile)).toBe(false);
  });
});

describe('azure-monitor-common fixtures', () => {
  it('test-action-service-health-incident-resolved: a resolved incident (array impactedServices, numeric level)', () => {
    const result = normalize(load('test-action-service-health-incident-resolved'));
    expect(result.notices).toEqual([]);
    expect(result.events).toHaveLength(1);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.provider.incident');
    expect(event?.source).toBe('/crosswatch/azure-monitor-common');
    expect(event?.subject).toBe('azure:TEST-TTT');
    expect(event?.time).toBe('2025-04-15T18:20:36.256Z');
    expect(dataOf(event)).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-monitor-common',
      incidentKey: 'azure:TEST-TTT',
      updateKey: 'azure:TEST-TTT:11223344556677:resolved',
      category: 'incident',
      status: 'resolved',
      severity: 'info',
      title: 'TestActionGroup-TestServiceHealthAlert',
      summary: 'ThisisatestfromServiceHealthAlert',
      services: ['AzureServiceName'],
      regions: ['Global'],
      scope: { tenantIds: [], subscriptionIds: [TEST_SUBSCRIPTION], accountIds: [], resourceIds: [] },
      startedAt: '2025-04-15T18:20:36.256Z',
      updatedAt: '2025-04-15T18:20:36.256Z',
      resolvedAt: '2025-04-15T18:20:36.256Z',
      links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/TEST-TTT/aaae4e' }],
      evidence: null,
      stage: 'Resolved',
      attributes: {
        trackingId: 'TEST-TTT',
        communicationId: '11223344556677',
        incidentType: 'Incident',
        stage: 'Resolved',
        level: 'Informational',
        isHIR: false,
        isSynthetic: true,
        impactType: 'SubscriptionList',
        eventDataId: 'eeeeeeee-4444-5555-6666-ffffffffffff',
        correlationId: '12345678-abcd-efgh-ijkl-abcd12345678',
        alertRule: 'test-ServiceHealthAlertRule',
        alertId:
          '/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/providers/Microsoft.AlertsManagement/alerts/1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh',
        monitorCondition: 'Fired',
      },
    });
  });

  it('test-action-resource-health: "Resource Health" (with a space) is a resource health change', () => {
    const result = normalize(load('test-action-resource-health'));
    expect(result.notices).toEqual([]);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.resource.health');
    const resourceId = TEST_VM.toLowerCase();
    expect(dataOf(event)).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-monitor-common',
      incidentKey: `azure-resource:${resourceId}`,
      updateKey: `azure-resource:${resourceId}:dddd3333-ee44-5555-66ff-777777aaaaaa:unavailable`,
      category: 'resource-health',
      status: 'active',
      severity: 'error',
      title: 'Rebooted by user',
      summary: 'Rebooted by user',
      services: ['microsoft.compute/virtualmachines'],
      regions: [],
      scope: {
        tenantIds: [],
        subscriptionIds: [TEST_SUBSCRIPTION],
        accountIds: [],
        resourceIds: [resourceId],
      },
      startedAt: '2025-04-15T18:19:45.304Z',
      updatedAt: '2025-04-15T18:19:45.304Z',
      resolvedAt: null,
      links: [
        {
          label: 'Azure Resource Health',
          url: `https://portal.azure.com/#resource${resourceId}/resourceHealth`,
        },
      ],
      evidence: null,
      stage: 'Active',
      attributes: {
        currentHealthStatus: 'Unavailable',
        previousHealthStatus: 'Available',
        type: 'Downtime',
        cause: 'UserInitiated',
        resourceType: 'microsoft.compute/virtualmachines',
        level: 'Informational',
        eventDataId: 'dddd3333-ee44-5555-66ff-777777aaaaaa',
        correlationId: 'cccc2222-dd33-4444-55ee-666666ffffff',
        alertRule: 'test-ResourceHealthAlertRule',
        alertId:
          '/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/providers/Microsoft.AlertsManagement/alerts/eeeeeeee-4444-5555-6666-ffffffffffff',
        monitorCondition: 'Fired',
      },
    });
  });

  it('test-action-administrative: recognized and ignored with the reason', () => {
    expect(normalize(load('test-action-administrative'))).toEqual({
      events: [],
      ignored:
        'Azure Monitor alert with monitoringService "Activity Log - Administrative" is not a health signal',
      notices: [],
    });
  });

  it('envelope-metric-resolved: a metric alert is recognized and ignored with the reason', () => {
    expect(normalize(load('envelope-metric-resolved'))).toEqual({
      events: [],
      ignored: 'Azure Monitor alert with monitoringService "Platform" is not a health signal',
      notices: [],
    });
  });

  it.each([
    'Log Analytics',
    'Log Alerts V2',
    'Application Insights',
    'Smart Detector',
    'Prometheus',
    'Activity Log - Policy',
  ])('ignores monitoringService %s', (monitoringService) => {
    const document = structuredClone(load('envelope-metric-resolved'));
    ((document.data as Json).essentials as Json).monitoringService = monitoringService;
    const result = normalize(document);
    expect(result.events).toEqual([]);
    expect(result.ignored).toBe(
      `Azure Monitor alert with monitoringService "${monitoringService}" is not a health signal`,
    );
  });

  it('detection routes the test action through normalizeText, with evidence', () => {
    const raw = loadRaw('test-action-service-health-incident-resolved');
    const output = normalizeText(raw, { now });
    expect(output.format).toBe('azure-monitor-common');
    expect(output.events).toHaveLength(1);
    for (const event of output.events) assertValidEvent(event);
    const data = dataOf(output.events[0]);
    expect(data.updateKey).toBe('azure:TEST-TTT:11223344556677:resolved');
    expect(data.evidence?.bytes).toBe(Buffer.byteLength(raw));
    expect(data.evidence?.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('detection reports an ignored metric alert through normalizeText', () => {
    const output = normalizeText(loadRaw('envelope-metric-resolved'), { now });
    expect(output.format).toBe('azure-monitor-common');
    expect(output.events).toEqual([]);
    expect(output.ignored).toBe(
      'Azure Monitor alert with monitoringService "Platform" is not a health signal',
    );
  });
});

describe('alertContext fragments in a common-schema envelope', () => {
  it('alert-context-service-health-maintenance-planned (numeric eventSource/level): a scheduled maintenance', () => {
    const data = single(
      wrapAlertContext('alert-context-service-health-maintenance-planned', SERVICE_HEALTH_ESSENTIALS),
    );
    expect(data).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-monitor-common',
      incidentKey: 'azure:<GUID>',
      updateKey: 'azure:<GUID>:<GUID>:planned',
      category: 'maintenance',
      status: 'scheduled',
      severity: 'info',
      title: 'Azure Synapse Analytics Scheduled Maintenance Pending',
      summary: '<MESSAGE>',
      services: ['Azure Synapse Analytics'],
      regions: ['East US'],
      scope: {
        tenantIds: [],
        subscriptionIds: ['11111111-2222-3333-4444-555555555555'],
        accountIds: [],
        resourceIds: [],
      },
      startedAt: '2019-06-26T04:00:00.000Z',
      updatedAt: '2019-06-24T11:31:31.714Z',
      resolvedAt: null,
      links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/%3CGUID%3E/111555' }],
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
        alertRule: 'sh-maintenance',
        alertId: SERVICE_HEALTH_ESSENTIALS.alertId as string,
        monitorCondition: 'Fired',
        plannedEnd: '2019-06-26T12:00:00.000Z',
      },
    });
  });

  it('alert-context-service-health-maintenance-planned-string-enums: string enums map the same as numbers', () => {
    const numeric = single(
      wrapAlertContext('alert-context-service-health-maintenance-planned', SERVICE_HEALTH_ESSENTIALS),
    );
    const strings = single(
      wrapAlertContext(
        'alert-context-service-health-maintenance-planned-string-enums',
        SERVICE_HEALTH_ESSENTIALS,
      ),
    );
    expect(strings).toEqual(numeric);
    expect(strings.attributes.level).toBe('Informational');
    expect(strings.severity).toBe('info');
  });

  it('alert-context-resource-health: keyed by the alert target', () => {
    const target =
      '/subscriptions/22222222-3333-4444-5555-666666666666/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/VM1';
    const result = normalize(
      wrapAlertContext('alert-context-resource-health', {
        monitoringService: 'Resource Health',
        alertTargetIDs: [target],
        firedDateTime: '2019-06-24T15:45:30.000Z',
      }),
    );
    expect(result.notices).toEqual([]);
    const data = dataOf(result.events[0]);
    expect(result.events[0]?.type).toBe('io.crosswatch.resource.health');
    expect(data.incidentKey).toBe(`azure-resource:${target.toLowerCase()}`);
    expect(data.updateKey).toBe(`azure-resource:${target.toLowerCase()}:<guid>:unavailable`);
    expect(data.status).toBe('active');
    expect(data.severity).toBe('error');
    expect(data.title).toBe(
      'This virtual machine is stopping and deallocating as requested by an authorized user or process',
    );
    expect(data.summary).toBe(data.title);
    expect(data.services).toEqual(['Microsoft.Compute/virtualMachines']);
    expect(data.scope).toEqual({
      tenantIds: [],
      subscriptionIds: ['22222222-3333-4444-5555-666666666666'],
      accountIds: [],
      resourceIds: [target.toLowerCase()],
    });
    expect(data.startedAt).toBe('2019-06-24T15:42:54.074Z');
    expect(data.updatedAt).toBe('2019-06-24T15:45:20.448Z');
    expect(data.attributes).toMatchObject({
      currentHealthStatus: 'Unavailable',
      previousHealthStatus: 'Available',
      type: 'Downtime',
      cause: 'UserInitiated',
    });
  });

  it('alert-context-administrative: ignored by monitoringService', () => {
    const result = normalize(
      wrapAlertContext('alert-context-administrative', {
        monitoringService: 'Activity Log - Administrative',
      }),
    );
    expect(result.events).toEqual([]);
    expect(result.ignored).toBe(
      'Azure Monitor alert with monitoringService "Activity Log - Administrative" is not a health signal',
    );
  });

  it('without monitoringService, the alert context eventSource decides (with a notice)', () => {
    const result = normalize(
      wrapAlertContext('alert-context-service-health-maintenance-planned-string-enums', {}),
    );
    expect(dataOf(result.events[0]).incidentKey).toBe('azure:<GUID>');
    expect(result.notices).toEqual([
      'data.essentials.monitoringService is missing; the alert context identifies a service-health alert',
    ]);
    // Numeric eventSource: the operation name (Microsoft.ServiceHealth/maintenance/action) decides.
    expect(
      dataOf(normalize(wrapAlertContext('alert-context-service-health-maintenance-planned', {})).events[0])
        .category,
    ).toBe('maintenance');
  });
});

describe('invalid common-schema alerts', () => {
  it.each([
    ['data', { schemaId: 'azureMonitorCommonAlertSchema' }],
    ['data', { schemaId: 'azureMonitorCommonAlertSchema', data: [1, 2] }],
    ['data.essentials', { schemaId: 'azureMonitorCommonAlertSchema', data: { alertContext: {} } }],
    ['data.essentials', { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: 'Sev1' } }],
    [
      'data.alertContext',
      {
        schemaId: 'azureMonitorCommonAlertSchema',
        data: { essentials: { monitoringService: 'ServiceHealth' } },
      },
    ],
    [
      'data.essentials.monitoringService',
      { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: {}, alertContext: { foo: 1 } } },
    ],
    [
      'data.alertContext.properties.trackingId',
      serviceHealthAlert({ properties: { trackingId: undefined } }),
    ],
    ['data.alertContext.properties.trackingId', serviceHealthAlert({ properties: { trackingId: '   ' } })],
  ])('names %s', (field, document) => {
    const error = thrown(() => azureMonitorCommonFormat.normalize(document, context));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect((error as InvalidInputError).format).toBe('azure-monitor-common');
  });

  it('a JSON-encoded data object is still read', () => {
    const document = load('test-action-service-health-incident-resolved');
    const data = single({ ...document, data: JSON.stringify(document.data) });
    expect(data.incidentKey).toBe('azure:TEST-TTT');
  });

  it.each([
    null,
    42,
    'text',
    [[]],
    {},
    { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: null } },
  ])('throws only NormalizeError for %j', (document) => {
    expect(thrown(() => azureMonitorCommonFormat.normalize(document, context))).toBeInstanceOf(
      NormalizeError,
    );
  });
});

describe('a realistic Service Health incident lifecycle', () => {
  const subscriptions = [
    '0a1b2c3d-1111-2222-3333-444455556666',
    '9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff',
    '12345678-9abc-def0-1234-56789abcdef0',
  ];

  function update(stage: string, communicationId: string, subscription: string, extra: Json = {}): Json {
    return serviceHealthAlert({
      subscription,
      essentials: { monitorCondition: 'Fired' },
      alertContext: {
        eventTimestamp: extra.eventTimestamp ?? '2026-01-20T08:10:00.1234567+00:00',
        submissionTimestamp: extra.submissionTimestamp ?? '2026-01-20T08:10:05.7654321+00:00',
        level: extra.level ?? 'Warning',
        status: stage === 'Active' ? 'Active' : 'Resolved',
      },
      properties: {
        trackingId: 'kt1x-9zz',
        communicationId,
        stage,
        incidentType: 'Incident',
        title: 'Storage - West Europe',
        defaultLanguageTitle: 'Storage - West Europe',
        impactStartTime: '2026-01-20T07:55:00.0000000Z',
        impactMitigationTime: extra.impactMitigationTime,
        impactedServices:
          '[{"ImpactedRegions":[{"RegionName":"West Europe"},{"RegionName":"North Europe"}],"ServiceName":"Storage"},{"ImpactedRegions":[{"RegionName":"West Europe"}],"ServiceName":"Virtual Machines"}]',
        communication: extra.communication ?? '<p>Engineers are investigating.</p>',
        defaultLanguageContent: extra.communication ?? '<p>Engineers are investigating.</p>',
        IsSynthetic: undefined,
        impactType: undefined,
      },
    });
  }

  it('the same update via 3 subscriptions: one updateKey, each its own scope and CloudEvent id', () => {
    const events = subscriptions.map(
      (subscription) => normalize(update('Active', '638700000000000001', subscription)).events[0],
    );
    const data = events.map(dataOf);
    expect(new Set(data.map((d) => d.incidentKey))).toEqual(new Set(['azure:KT1X-9ZZ']));
    expect(new Set(data.map((d) => d.updateKey))).toEqual(
      new Set(['azure:KT1X-9ZZ:638700000000000001:active']),
    );
    expect(data.map((d) => d.scope.subscriptionIds)).toEqual(subscriptions.map((s) => [s]));
    expect(new Set(events.map((event) => event?.id)).size).toBe(3);
    expect(data.map((d) => d.links[0]?.url)).toEqual([
      'https://app.azure.com/h/KT1X-9ZZ/0a1666',
      'https://app.azure.com/h/KT1X-9ZZ/9f8fff',
      'https://app.azure.com/h/KT1X-9ZZ/123ef0',
    ]);
    // Everything but the receiving scope (and the alert instance) is identical.
    const strip = (d: ProviderEventData) => ({
      ...d,
      scope: null,
      links: null,
      attributes: { ...d.attributes, alertId: null },
    });
    expect(strip(data[1] as ProviderEventData)).toEqual(strip(data[0] as ProviderEventData));
    expect(strip(data[2] as ProviderEventData)).toEqual(strip(data[0] as ProviderEventData));
    const first = data[0] as ProviderEventData;
    expect(first.services).toEqual(['Storage', 'Virtual Machines']);
    expect(first.regions).toEqual(['West Europe', 'North Europe']);
    expect(first.severity).toBe('warning');
    expect(first.summary).toBe('Engineers are investigating.');
  });

  it('Active → Active (new communication) → Resolved → RCA: one incidentKey, 4 distinct updateKeys', () => {
    const sequence = [
      update('Active', '638700000000000001', subscriptions[0] as string),
      update('Active', '638700000000000002', subscriptions[0] as string, {
        eventTimestamp: '2026-01-20T09:10:00.0000000+00:00',
        submissionTimestamp: '2026-01-20T09:10:02.0000000+00:00',
        communication: 'Mitigation is being applied. <b>Next update</b> in 60&nbsp;minutes.',
      }),
      update('Resolved', '638700000000000003', subscriptions[1] as string, {
        eventTimestamp: '2026-01-20T10:40:00.0000000+00:00',
        submissionTimestamp: '2026-01-20T10:40:03.0000000+00:00',
        impactMitigationTime: '2026-01-20T10:25:00.0000000Z',
        communication: '<p>Summary of impact: mitigated at 10:25 UTC.</p>',
      }),
      update('RCA', '638700000000000004', subscriptions[2] as string, {
        eventTimestamp: '2026-01-23T16:00:00.0000000+00:00',
        submissionTimestamp: '2026-01-23T16:00:04.0000000+00:00',
        impactMitigationTime: '2026-01-20T10:25:00.0000000Z',
        level: 'Informational',
        communication: '<h2>Post Incident Review (PIR)</h2><p>What happened&hellip;</p>',
      }),
    ].map((document) => single(document));

    expect(new Set(sequence.map((d) => d.incidentKey))).toEqual(new Set(['azure:KT1X-9ZZ']));
    expect(sequence.map((d) => d.updateKey)).toEqual([
      'azure:KT1X-9ZZ:638700000000000001:active',
      'azure:KT1X-9ZZ:638700000000000002:active',
      'azure:KT1X-9ZZ:638700000000000003:resolved',
      'azure:KT1X-9ZZ:638700000000000004:rca',
    ]);
    expect(sequence.map((d) => d.status)).toEqual(['active', 'active', 'resolved', 'resolved']);
    expect(sequence.map((d) => d.stage)).toEqual(['Active', 'Active', 'Resolved', 'RCA']);
    expect(sequence.map((d) => d.severity)).toEqual(['warning', 'warning', 'warning', 'info']);
    expect(sequence.map((d) => d.updatedAt)).toEqual([
      '2026-01-20T08:10:05.765Z',
      '2026-01-20T09:10:02.000Z',
      '2026-01-20T10:40:03.000Z',
      '2026-01-23T16:00:04.000Z',
    ]);
    expect(sequence.map((d) => d.resolvedAt)).toEqual([
      null,
      null,
      '2026-01-20T10:25:00.000Z',
      '2026-01-20T10:25:00.000Z',
    ]);
    expect(sequence.map((d) => d.startedAt)).toEqual(Array(4).fill('2026-01-20T07:55:00.000Z'));
    expect(sequence[1]?.summary).toBe('Mitigation is being applied. Next update in 60 minutes.');
    expect(sequence[2]?.summary).toBe('Summary of impact: mitigated at 10:25 UTC.');
    expect(sequence[3]?.summary).toBe('Post Incident Review (PIR)\nWhat happened…');
  });

  it('a replay of the same update (another delivery) keeps updateKey and CloudEvent id', () => {
    const first = normalize(update('Active', '638700000000000001', subscriptions[0] as string)).events[0];
    const replay = normalize(update('Active', '638700000000000001', subscriptions[0] as string)).events[0];
    expect(replay?.id).toBe(first?.id);
    expect(dataOf(replay).updateKey).toBe(dataOf(first).updateKey);
  });
});

describe('Service Health incident types, stages and levels', () => {
  it.each([
    ['Planned', 'scheduled', '2026-02-10T02:00:00.000Z', null],
    ['InProgress', 'active', '2026-02-10T02:00:00.000Z', null],
    ['Rescheduled', 'scheduled', '2026-02-10T02:00:00.000Z', null],
    ['Canceled', 'resolved', undefined, '2026-02-01T12:00:00.000Z'],
    ['Complete', 'resolved', undefined, '2026-02-01T12:00:00.000Z'],
  ])('maintenance stage %s → %s', (stage, status, plannedEnd, resolvedAt) => {
    const data = single(
      serviceHealthAlert({
        alertContext: {
          level: 'Informational',
          eventTimestamp: '2026-02-01T12:00:00Z',
          submissionTimestamp: '2026-02-01T12:00:00Z',
        },
        properties: {
          incidentType: 'Maintenance',
          stage,
          trackingId: 'MT-1234',
          communicationId: `c-${stage}`,
          impactStartTime: '2026-02-09T22:00:00Z',
          impactMitigationTime: '2026-02-10T02:00:00Z',
          maintenanceId: 'MAINT-42',
        },
      }),
    );
    expect(data.category).toBe('maintenance');
    expect(data.status).toBe(status);
    expect(data.incidentKey).toBe('azure:MT-1234');
    expect(data.updateKey).toBe(`azure:MT-1234:c-${stage}:${stage.toLowerCase()}`);
    expect(data.attributes.plannedEnd).toBe(plannedEnd);
    expect(data.attributes.maintenanceId).toBe('MAINT-42');
    // A completion or cancellation before the planned end resolves at the update, not at the plan.
    expect(data.resolvedAt).toBe(resolvedAt);
    expect(data.startedAt).toBe('2026-02-09T22:00:00.000Z');
  });

  it.each([
    ['Security', 'Active', 'Error', 'security', 'active', 'error'],
    ['Security', 'RCA', 'Error', 'security', 'resolved', 'error'],
    ['ActionRequired', 'Active', 'Informational', 'action-required', 'active', 'info'],
    ['Informational', 'Active', 'Informational', 'advisory', 'informational', 'info'],
    ['Information', 'Active', 'Warning', 'advisory', 'informational', 'warning'],
    ['Incident', 'Active', 'Critical', 'incident', 'active', 'critical'],
    ['incident', 'active', 'error', 'incident', 'active', 'error'],
    ['Action Required', 'Active', 'Verbose', 'action-required', 'active', 'info'],
  ])(
    'incidentType %s stage %s level %s → %s/%s/%s',
    (incidentType, stage, level, category, status, severity) => {
      const data = single(
        serviceHealthAlert({ alertContext: { level }, properties: { incidentType, stage } }),
      );
      expect(data.category).toBe(category);
      expect(data.status).toBe(status);
      expect(data.severity).toBe(severity);
      expect(data.attributes.incidentType).toBe(incidentType);
    },
  );

  it.each([
    [0, 'Critical', 'critical'],
    [1, 'Error', 'error'],
    [2, 'Warning', 'warning'],
    [3, 'Informational', 'info'],
    [4, 'Verbose', 'info'],
    ['2', 'Warning', 'warning'],
    [{ value: 'Error', localizedValue: 'Fehler' }, 'Error', 'error'],
  ])('level %j is %s → %s', (level, name, severity) => {
    const data = single(serviceHealthAlert({ alertContext: { level } }));
    expect(data.attributes.level).toBe(name);
    expect(data.severity).toBe(severity);
  });

  it.each([
    ['Sev0', 'critical'],
    ['Sev1', 'error'],
    ['Sev2', 'warning'],
    ['Sev3', 'info'],
    ['Sev4', 'info'],
  ])('without level, essentials severity %s → %s', (severity, expected) => {
    const data = single(serviceHealthAlert({ alertContext: { level: undefined }, essentials: { severity } }));
    expect(data.severity).toBe(expected);
    expect(data.attributes.level).toBeUndefined();
  });

  it('an unknown level falls back to the essentials severity with a notice', () => {
    const result = normalize(
      serviceHealthAlert({ alertContext: { level: 9 }, essentials: { severity: 'Sev1' } }),
    );
    expect(dataOf(result.events[0]).severity).toBe('error');
    expect(dataOf(result.events[0]).attributes.level).toBe('9');
    expect(result.notices).toEqual(['data.alertContext.level "9" is not a known level']);
  });

  it('an unknown incidentType is an advisory with a notice', () => {
    const result = normalize(
      serviceHealthAlert({ properties: { incidentType: 'Billing', stage: 'Active' } }),
    );
    const data = dataOf(result.events[0]);
    expect(data.category).toBe('advisory');
    expect(data.status).toBe('informational');
    expect(data.attributes.incidentType).toBe('Billing');
    expect(result.notices).toEqual([
      'data.alertContext.properties.incidentType "Billing" is not a known incident type; treated as an advisory',
    ]);
  });

  it('a missing stage falls back to the alert context status', () => {
    const resolved = single(serviceHealthAlert({ properties: { stage: undefined } }));
    expect(resolved.status).toBe('resolved');
    expect(resolved.stage).toBe('Resolved');
    expect(resolved.updateKey).toBe('azure:TEST-TTT:11223344556677:resolved');
    const active = single(
      serviceHealthAlert({ properties: { stage: undefined }, alertContext: { status: 'Active' } }),
    );
    expect(active.status).toBe('active');
    expect(active.resolvedAt).toBeNull();
    expect(active.updateKey).toBe('azure:TEST-TTT:11223344556677:active');
  });

  it('an unknown stage is noted and falls back to the status', () => {
    const result = normalize(serviceHealthAlert({ properties: { stage: 'Mitigated' } }));
    expect(dataOf(result.events[0]).status).toBe('resolved');
    expect(dataOf(result.events[0]).stage).toBe('Mitigated');
    expect(result.notices).toEqual(['data.alertContext.properties.stage "Mitigated" is not a known stage']);
  });

  it('a missing communicationId: the eventTimestamp identifies the update', () => {
    const data = single(
      serviceHealthAlert({
        properties: { communicationId: undefined },
        alertContext: { eventTimestamp: '2025-04-15T18:20:36.2561234+00:00' },
      }),
    );
    expect(data.updateKey).toBe('azure:TEST-TTT:2025-04-15T18:20:36.256Z:resolved');
    expect(data.attributes.communicationId).toBeUndefined();
  });

  it('HTML, entities and the localized fields: plain text, default language first', () => {
    const data = single(
      serviceHealthAlert({
        properties: {
          title: 'Stockage &ndash; Europe de l&#39;Ouest',
          defaultLanguageTitle: '<b>Storage</b> &ndash; West Europe',
          communication: '<p>Texte fran&ccedil;ais</p>',
          defaultLanguageContent:
            '<p>Customers may see &quot;503&quot; errors.</p><ul><li>Retry</li><li>Fail over</li></ul>',
        },
      }),
    );
    expect(data.title).toBe('Storage – West Europe');
    expect(data.summary).toBe('Customers may see "503" errors.\n\n- Retry\n- Fail over');
    const fallback = single(
      serviceHealthAlert({
        properties: { defaultLanguageTitle: undefined, defaultLanguageContent: undefined },
      }),
    );
    expect(fallback.title).toBe('TestActionGroup-TestServiceHealthAlert');
    expect(fallback.summary).toBe('ThisisatestfromServiceHealthAlert');
  });

  it('impactedServices as an escaped string or an array give the same services and regions', () => {
    const list = [
      {
        ImpactedRegions: [{ RegionName: 'East US' }, { RegionName: 'East US 2' }],
        ServiceName: 'SQL Database',
      },
      { impactedRegions: [{ regionName: 'East US' }], serviceName: 'App Service' },
    ];
    const asArray = single(serviceHealthAlert({ properties: { impactedServices: list } }));
    const asString = single(serviceHealthAlert({ properties: { impactedServices: JSON.stringify(list) } }));
    expect(asArray.services).toEqual(['SQL Database', 'App Service']);
    expect(asArray.regions).toEqual(['East US', 'East US 2']);
    expect(asString.services).toEqual(asArray.services);
    expect(asString.regions).toEqual(asArray.regions);
  });

  it('without impactedServices, properties.service and properties.region stand in', () => {
    const data = single(
      serviceHealthAlert({
        properties: { impactedServices: undefined, service: 'Key Vault', region: 'Japan East' },
      }),
    );
    expect(data.services).toEqual(['Key Vault']);
    expect(data.regions).toEqual(['Japan East']);
  });

  it('missing times fall back: firedDateTime, then receivedAt', () => {
    const fired = single(
      serviceHealthAlert({
        alertContext: { eventTimestamp: undefined, submissionTimestamp: 'garbage' },
        essentials: { firedDateTime: '2025-04-15T18:21:00.0000000Z' },
        properties: { communicationId: 'x1' },
      }),
    );
    expect(fired.updatedAt).toBe('2025-04-15T18:21:00.000Z');
    const received = single(
      serviceHealthAlert({
        alertContext: { eventTimestamp: undefined, submissionTimestamp: undefined },
        essentials: { firedDateTime: undefined },
        properties: { impactStartTime: undefined, impactMitigationTime: undefined },
      }),
    );
    expect(received.updatedAt).toBe(context.receivedAt);
    expect(received.resolvedAt).toBe(context.receivedAt);
    expect(received.startedAt).toBeNull();
  });

  it('an alert without a linkable subscription links to the tracking id only', () => {
    const data = single(serviceHealthAlert({ essentials: { alertTargetIDs: undefined } }));
    expect(data.scope.subscriptionIds).toEqual([]);
    expect(data.links).toEqual([{ label: 'Azure Service Health', url: 'https://app.azure.com/h/TEST-TTT' }]);
  });

  it('alertTargetIDs are lower-cased subscription ids in scope (a string target is accepted)', () => {
    const data = single(
      serviceHealthAlert({
        essentials: { alertTargetIDs: '/subscriptions/ABCDEF01-2345-6789-ABCD-EF0123456789' },
      }),
    );
    expect(data.scope.subscriptionIds).toEqual(['abcdef01-2345-6789-abcd-ef0123456789']);
    expect(data.links[0]?.url).toBe('https://app.azure.com/h/TEST-TTT/abc789');
  });
});

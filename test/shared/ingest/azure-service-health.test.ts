import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CrosswatchEvent, ProviderEventData } from '../../../shared/event/schema.ts';
import {
  buildServiceHealthEvent,
  buildServiceHealthLink,
  parseImpactedServices,
} from '../../../shared/ingest/azure-service-health.ts';
import { InvalidInputError } from '../../../shared/ingest/errors.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';

const context = { receivedAt: '2026-01-22T10:00:00.000Z', evidence: null };
const evidence = { contentHash: `sha256:${'ab'.repeat(32)}`, bytes: 1234 };

type Json = Record<string, unknown>;

function load(variant: string): unknown {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/azure-service-health/${variant}.json`, import.meta.url), 'utf8'),
  );
}

const ESCAPED = (load('impacted-services-escaped') as Json)[
  'data.context.activityLog.properties.impactedServices'
];
const UNESCAPED = load('impacted-services-unescaped');

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

/** A legacy-webhook style Service Health activityLog carrying the webhook guide's impactedServices. */
function activityLog(properties: Json = {}, record: Json = {}): Json {
  return {
    channels: 'Admin',
    correlationId: 'cccc2222-dd33-4444-55ee-666666ffffff',
    description: 'Active: Alerts & Metrics and App Service - Australia',
    eventSource: 'ServiceHealth',
    eventTimestamp: '2017-10-18T23:49:25.3736084+00:00',
    eventDataId: '6fa98c0f-334a-b066-1934-1a4b3d929856',
    level: 'Warning',
    operationName: 'Microsoft.ServiceHealth/incident/action',
    properties: {
      title: 'Alerts &amp; Metrics and App Service - Australia',
      communication: '<p>Engineers are investigating alerts &amp; metrics delays.</p>',
      incidentType: 'Incident',
      trackingId: '4TC8-XYZ',
      impactStartTime: '2017-10-18T02:48:00.0000000Z',
      impactedServices: ESCAPED,
      stage: 'Active',
      communicationId: '636439673646212999',
      ...properties,
    },
    status: 'Active',
    subscriptionId: 'CCCC2C2C-DD3D-EE4E-FF5F-AAAAAA6A6A6A',
    submissionTimestamp: '2017-10-18T23:49:28.7864349+00:00',
    ...record,
  };
}

describe('parseImpactedServices', () => {
  it('impacted-services-escaped: the JSON-encoded string from the webhook guide', () => {
    expect(typeof ESCAPED).toBe('string');
    expect(parseImpactedServices(ESCAPED)).toEqual({
      services: ['Alerts & Metrics', 'App Service'],
      regions: ['Australia East', 'Australia Southeast'],
    });
  });

  it('impacted-services-unescaped: the real array gives the same result', () => {
    expect(Array.isArray(UNESCAPED)).toBe(true);
    expect(JSON.parse(ESCAPED as string)).toEqual(UNESCAPED);
    expect(parseImpactedServices(UNESCAPED)).toEqual(parseImpactedServices(ESCAPED));
  });

  it('matches ServiceName/ImpactedRegions/RegionName case-insensitively', () => {
    expect(
      parseImpactedServices([
        { serviceName: 'Storage', impactedRegions: [{ regionName: 'West Europe' }] },
        { SERVICENAME: 'Key Vault', IMPACTEDREGIONS: [{ REGIONNAME: 'North Europe' }] },
      ]),
    ).toEqual({ services: ['Storage', 'Key Vault'], regions: ['West Europe', 'North Europe'] });
  });

  it('de-duplicates and trims services and regions', () => {
    expect(
      parseImpactedServices([
        {
          ServiceName: ' Storage ',
          ImpactedRegions: [{ RegionName: 'West Europe' }, { RegionName: 'West Europe ' }],
        },
        { ServiceName: 'Storage', ImpactedRegions: [{ RegionName: 'East US' }] },
      ]),
    ).toEqual({ services: ['Storage'], regions: ['West Europe', 'East US'] });
  });

  it('accepts a single object, plain region strings, an encoded region list and a double-encoded value', () => {
    expect(parseImpactedServices({ ServiceName: 'DNS', ImpactedRegions: ['Global'] })).toEqual({
      services: ['DNS'],
      regions: ['Global'],
    });
    expect(
      parseImpactedServices([{ ServiceName: 'DNS', ImpactedRegions: '[{"RegionName":"Global"}]' }]),
    ).toEqual({ services: ['DNS'], regions: ['Global'] });
    expect(parseImpactedServices(JSON.stringify(ESCAPED))).toEqual(parseImpactedServices(UNESCAPED));
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 3],
    ['broken JSON', '[{"ServiceName":'],
    ['plain text', 'Virtual Machines'],
    ['junk items', [null, 1, 'x', [], { ServiceName: null, ImpactedRegions: 5 }]],
    ['an empty list', '[]'],
  ])('yields nothing for %s', (_label, value) => {
    expect(parseImpactedServices(value)).toEqual({ services: [], regions: [] });
  });
});

describe('buildServiceHealthLink', () => {
  it('buildServiceHealthLink: first three and last three characters of the subscription', () => {
    expect(buildServiceHealthLink('0NIH-U2O', 'cccc2c2c-dd3d-ee4e-ff5f-aaaaaa6a6a6a')).toBe(
      'https://app.azure.com/h/0NIH-U2O/ccca6a',
    );
    expect(buildServiceHealthLink('0NIH-U2O', 'CCCC2C2C-DD3D-EE4E-FF5F-AAAAAA6A6A6A')).toBe(
      'https://app.azure.com/h/0NIH-U2O/ccca6a',
    );
    expect(buildServiceHealthLink('0NIH-U2O', undefined)).toBe('https://app.azure.com/h/0NIH-U2O');
    expect(buildServiceHealthLink('0NIH-U2O', '<subscription id>')).toBe('https://app.azure.com/h/0NIH-U2O');
    expect(buildServiceHealthLink('A B/C', undefined)).toBe('https://app.azure.com/h/A%20B%2FC');
  });
});

describe('buildServiceHealthEvent', () => {
  it('maps a multi-service, multi-region update from the webhook guide', () => {
    const notices: string[] = [];
    const event = buildServiceHealthEvent(
      { record: activityLog(), path: 'data.context.activityLog' },
      { receivedAt: context.receivedAt, evidence },
      'azure-activity-log-webhook',
      notices,
    );
    expect(notices).toEqual([]);
    expect(event.type).toBe('io.crosswatch.provider.incident');
    expect(event.source).toBe('/crosswatch/azure-activity-log-webhook');
    expect(dataOf(event)).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-activity-log-webhook',
      incidentKey: 'azure:4TC8-XYZ',
      updateKey: 'azure:4TC8-XYZ:636439673646212999:active',
      category: 'incident',
      status: 'active',
      severity: 'warning',
      title: 'Alerts & Metrics and App Service - Australia',
      summary: 'Engineers are investigating alerts & metrics delays.',
      services: ['Alerts & Metrics', 'App Service'],
      regions: ['Australia East', 'Australia Southeast'],
      scope: {
        tenantIds: [],
        subscriptionIds: ['cccc2c2c-dd3d-ee4e-ff5f-aaaaaa6a6a6a'],
        accountIds: [],
        resourceIds: [],
      },
      startedAt: '2017-10-18T02:48:00.000Z',
      updatedAt: '2017-10-18T23:49:28.786Z',
      resolvedAt: null,
      links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/4TC8-XYZ/ccca6a' }],
      evidence,
      stage: 'Active',
      attributes: {
        trackingId: '4TC8-XYZ',
        communicationId: '636439673646212999',
        incidentType: 'Incident',
        stage: 'Active',
        level: 'Warning',
        eventDataId: '6fa98c0f-334a-b066-1934-1a4b3d929856',
        correlationId: 'cccc2222-dd33-4444-55ee-666666ffffff',
      },
    });
  });

  it('the trackingId is trimmed and upper-cased in the keys, kept as sent in attributes', () => {
    const data = dataOf(
      buildServiceHealthEvent(
        { record: activityLog({ trackingId: '  4tc8-xyz ' }), path: '' },
        context,
        'azure-activity-log-record',
      ),
    );
    expect(data.incidentKey).toBe('azure:4TC8-XYZ');
    expect(data.updateKey).toBe('azure:4TC8-XYZ:636439673646212999:active');
    expect(data.attributes.trackingId).toBe('4tc8-xyz');
  });

  it('the same update through each format has the same keys', () => {
    const keys = (
      ['azure-monitor-common', 'azure-activity-log-webhook', 'azure-activity-log-record'] as const
    ).map((origin) => {
      const data = dataOf(buildServiceHealthEvent({ record: activityLog(), path: 'x' }, context, origin));
      return [data.incidentKey, data.updateKey];
    });
    expect(new Set(keys.map((pair) => pair.join('|'))).size).toBe(1);
  });

  it('missing trackingId: InvalidInputError naming the property path', () => {
    const error = thrown(() =>
      buildServiceHealthEvent(
        { record: activityLog({ trackingId: undefined }), path: 'data.alertContext' },
        context,
        'azure-monitor-common',
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('data.alertContext.properties.trackingId');
  });

  it('without title fields, the description minus its stage prefix is the title', () => {
    const data = dataOf(
      buildServiceHealthEvent(
        { record: activityLog({ title: undefined }), path: '' },
        context,
        'azure-activity-log-webhook',
      ),
    );
    expect(data.title).toBe('Alerts & Metrics and App Service - Australia');
    const noDescription = dataOf(
      buildServiceHealthEvent(
        { record: activityLog({ title: undefined }, { description: undefined }), path: '' },
        context,
        'azure-activity-log-webhook',
      ),
    );
    expect(noDescription.title).toBe('Azure Incident 4TC8-XYZ');
    expect(noDescription.summary).toBe('Engineers are investigating alerts & metrics delays.');
  });

  it('a JSON-encoded properties dictionary is read', () => {
    const record = activityLog();
    const data = dataOf(
      buildServiceHealthEvent(
        { record: { ...record, properties: JSON.stringify(record.properties) }, path: '' },
        context,
        'azure-activity-log-webhook',
      ),
    );
    expect(data.incidentKey).toBe('azure:4TC8-XYZ');
    expect(data.services).toEqual(['Alerts & Metrics', 'App Service']);
  });

  it('missing incidentType: the operation name gives the category, else advisory with a notice', () => {
    const fromOperation = dataOf(
      buildServiceHealthEvent(
        {
          record: activityLog(
            { incidentType: undefined },
            { operationName: 'Microsoft.ServiceHealth/maintenance/action' },
          ),
          path: '',
        },
        context,
        'azure-activity-log-record',
      ),
    );
    expect(fromOperation.category).toBe('maintenance');
    const notices: string[] = [];
    const unknown = dataOf(
      buildServiceHealthEvent(
        { record: activityLog({ incidentType: undefined }, { operationName: 'x' }), path: 'value[0]' },
        context,
        'azure-activity-log-record',
        notices,
      ),
    );
    expect(unknown.category).toBe('advisory');
    expect(unknown.status).toBe('informational');
    expect(notices).toEqual(['value[0].properties.incidentType is missing; treated as an advisory']);
  });

  it('missing stage and status: active with a notice', () => {
    const notices: string[] = [];
    const data = dataOf(
      buildServiceHealthEvent(
        { record: activityLog({ stage: undefined }, { status: undefined }), path: '' },
        context,
        'azure-activity-log-record',
        notices,
      ),
    );
    expect(data.status).toBe('active');
    expect(data.stage).toBeNull();
    expect(data.updateKey).toBe('azure:4TC8-XYZ:636439673646212999:active');
    expect(notices).toEqual(['properties.stage is missing and status is missing; treated as active']);
  });

  it('missing communicationId and eventTimestamp: the submission time identifies the update, with a notice', () => {
    const notices: string[] = [];
    const data = dataOf(
      buildServiceHealthEvent(
        { record: activityLog({ communicationId: undefined }, { eventTimestamp: undefined }), path: 'p' },
        context,
        'azure-activity-log-record',
        notices,
      ),
    );
    expect(data.updateKey).toBe('azure:4TC8-XYZ:2017-10-18T23:49:28.786Z:active');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/communicationId and eventTimestamp are missing/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { azureResourceHealthApiFormat } from '../../../shared/ingest/azure-resource-health-api.ts';
import { InvalidInputError } from '../../../shared/ingest/errors.ts';
import type { FormatResult } from '../../../shared/ingest/input-format.ts';
import { normalizeText } from '../../../shared/ingest/normalize.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';
import {
  createFormatHarness,
  dataOf,
  FIXED_NOW,
  FORMAT_CONTEXT,
  type Json,
} from '../../helpers/format-harness.ts';
import { loadInputFixtures } from '../../helpers/input-fixtures.ts';

const context = FORMAT_CONTEXT;
const { normalize } = createFormatHarness(azureResourceHealthApiFormat);
const now = FIXED_NOW;
const NEXT_LINK_NOTICE = /nextLink/;

/** The API response stored in an azure-rest-api-specs example: `responses["200"].body`. */
function loadBody(variant: string): Json {
  const example = JSON.parse(
    readFileSync(
      new URL(`../../fixtures/azure-resource-health-api/${variant}.json`, import.meta.url),
      'utf8',
    ),
  ) as { responses: { 200: { body: Json } } };
  return example.responses[200].body;
}

function items(body: Json): Json[] {
  return body.value as Json[];
}

/** Routes the body through detection (normalizeText) and checks it lands here with the same events. */
function expectDetected(body: Json, direct: FormatResult): void {
  const output = normalizeText(JSON.stringify(body), { now });
  expect(output.format).toBe('azure-resource-health-api');
  for (const event of output.events) assertValidEvent(event);
  expect(output.events.map((event) => event.data.updateKey)).toEqual(
    direct.events.map((event) => event.data.updateKey),
  );
  expect(output.events[0]?.data.evidence?.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
}

/** A service health event in the ARM shape, built from the subscription example. */
function eventItem(overrides: Json = {}, top: Json = {}): Json {
  const item = structuredClone(items(loadBody('events-list-by-subscription-example'))[0]) as Json;
  return { ...item, ...top, properties: { ...(item.properties as Json), ...overrides } };
}

describe('Azure Resource Health REST: fixtures', () => {
  it('maps the events list by subscription (events-list-by-subscription-example)', () => {
    const body = loadBody('events-list-by-subscription-example');
    const result = normalize(body);
    expect(result.events).toHaveLength(1);
    expect(result.notices).toEqual([expect.stringMatching(NEXT_LINK_NOTICE)]);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.provider.incident');
    expect(event?.source).toBe('/crosswatch/azure-resource-health-api');
    expect(event?.subject).toBe('azure:BC_1-FXZ');
    expect(event?.time).toBe('2018-11-08T00:00:00.000Z');
    expect(dataOf(event)).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-resource-health-api',
      incidentKey: 'azure:BC_1-FXZ',
      updateKey: 'azure:BC_1-FXZ:api:active:2018-11-08T00:00:00.000Z',
      category: 'incident',
      status: 'active',
      severity: 'warning',
      title: 'ACTIVE: Virtual machines in West US',
      summary: 'An outage alert is being investigated. More information will be provided as it is known.',
      services: ['Virtual Machines'],
      regions: ['West US'],
      scope: { tenantIds: [], subscriptionIds: ['{subscriptionid}'], accountIds: [], resourceIds: [] },
      startedAt: '2018-11-07T00:00:00.000Z',
      updatedAt: '2018-11-08T00:00:00.000Z',
      resolvedAt: null,
      // Both links[] entries are portal blade links without a URL: only the direct link remains.
      links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/BC_1-FXZ' }],
      evidence: null,
      stage: 'Active',
      attributes: {
        trackingId: 'BC_1-FXZ',
        eventType: 'ServiceIssue',
        eventSource: 'ResourceHealth',
        level: 'Warning',
        eventLevel: 'Informational',
        isHIR: false,
        hirStage: 'resolved',
        priority: 2,
        regionStatuses: 'West US:Active',
      },
    });
    expectDetected(body, result);
  });

  it('maps the events list by tenant (events-list-by-tenant-example)', () => {
    const body = loadBody('events-list-by-tenant-example');
    const result = normalize(body);
    expect(result.events).toHaveLength(1);
    expect(result.notices).toEqual([expect.stringMatching(NEXT_LINK_NOTICE)]);
    const data = dataOf(result.events[0]);
    expect(data).toMatchObject({
      incidentKey: 'azure:BC_1-FXZ',
      updateKey: 'azure:BC_1-FXZ:api:active:2018-11-08T00:00:00.000Z',
      category: 'incident',
      status: 'active',
      severity: 'warning',
      title: 'ACTIVE: Virtual machines in West US',
      services: ['Virtual Machines'],
      regions: ['West US'],
      startedAt: '2018-11-07T00:00:00.000Z',
      updatedAt: '2018-11-08T00:00:00.000Z',
      resolvedAt: null,
      stage: 'Active',
      links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/BC_1-FXZ' }],
    });
    // The tenant-scope list fills impactedTenants and leaves impactedSubscriptions empty.
    expect(data.scope).toEqual({
      tenantIds: ['00000000-0000-0000-0000-000000000000'],
      subscriptionIds: [],
      accountIds: [],
      resourceIds: [],
    });
    expect(data.attributes).toMatchObject({
      eventSource: 'ServiceHealth',
      level: 'Warning',
      eventLevel: 'Informational',
    });
    // The same published update seen through the subscription list: same keys, another scope.
    const bySubscription = dataOf(normalize(loadBody('events-list-by-subscription-example')).events[0]);
    expect(data.updateKey).toBe(bySubscription.updateKey);
    expect(result.events[0]?.id).not.toBe(
      normalize(loadBody('events-list-by-subscription-example')).events[0]?.id,
    );
    expectDetected(body, result);
  });

  it('maps the availability statuses list (availability-statuses-list-by-subscription-example)', () => {
    const body = loadBody('availability-statuses-list-by-subscription-example');
    const result = normalize(body);
    expect(result.events).toHaveLength(2);
    expect(result.notices).toEqual([expect.stringMatching(NEXT_LINK_NOTICE)]);
    const [available, unavailable] = result.events;
    expect(available?.type).toBe('io.crosswatch.resource.health');
    expect(unavailable?.type).toBe('io.crosswatch.resource.health');
    // The id's typo `AvailabilityStatueses` is cut generically at /providers/Microsoft.ResourceHealth/.
    const scope = { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: ['<resourceid>'] };
    expect(dataOf(available)).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-resource-health-api',
      incidentKey: 'azure-resource:<resourceid>',
      updateKey: 'azure-resource:<resourceid>:available:2016-03-29T09:12:00.000Z',
      category: 'resource-health',
      status: 'resolved',
      severity: 'info',
      title: '<resourceId>: Available',
      summary: 'Vm is available\nWe have not seen any issues with your virtual machine',
      services: [],
      regions: ['eastus'],
      scope,
      startedAt: '2016-03-29T09:12:00.000Z',
      updatedAt: '2016-05-04T14:11:29.759Z',
      resolvedAt: '2017-02-28T00:49:00.000Z',
      links: [],
      evidence: null,
      stage: 'Available',
      attributes: {
        availabilityState: 'Available',
        reasonType: 'Unplanned',
        reasonChronicity: 'Persistent',
        category: 'Unplanned',
        context: 'Platform Initiated',
        resolutionETA: null,
        rootCauseAttributionTime: null,
        recommendedActions: 'To start this virtualmachine, open the resource blade and click Start',
      },
    });
    expect(dataOf(unavailable)).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-resource-health-api',
      incidentKey: 'azure-resource:<resourceid>',
      updateKey: 'azure-resource:<resourceid>:unavailable:2016-03-29T09:12:00.000Z',
      category: 'resource-health',
      status: 'active',
      severity: 'error',
      title: '<resourceId>: Unavailable',
      summary:
        "We are sorry, we couldn't automatically recovery our virtualmachine\nDiskproblemsarepreventingusfromautomaticallyrecoveringyourvirtualmachine",
      services: [],
      regions: ['eastus'],
      scope,
      startedAt: '2016-03-29T09:12:00.000Z',
      updatedAt: '2016-05-04T14:11:29.759Z',
      resolvedAt: null,
      // actionUrl values are portal placeholders (`<#ResourceBlade>`), not http(s) URLs.
      links: [],
      evidence: null,
      stage: 'Unavailable',
      attributes: {
        availabilityState: 'Unavailable',
        reasonType: 'Unplanned',
        reasonChronicity: 'Persistent',
        category: null,
        context: null,
        resolutionETA: '2016-03-29T09:37:00.000Z',
        rootCauseAttributionTime: '2016-03-29T09:13:00.000Z',
        recommendedActions:
          'To start this virtualmachine, open the resource blade | If you are experiencing problems you believe are caused by Azure, contact support',
      },
    });
    expectDetected(body, result);
  });

  it('maps the impacted resources list (impacted-resources-list-example)', () => {
    const body = loadBody('impacted-resources-list-example');
    const result = normalize(body);
    expect(result.events).toHaveLength(3);
    expect(result.notices).toEqual([expect.stringMatching(NEXT_LINK_NOTICE)]);
    for (const event of result.events) {
      expect(event.type).toBe('io.crosswatch.resource.health');
      expect(event.subject).toBe('azure:BC_1-FXZ');
      expect(event.time).toBe(context.receivedAt);
    }
    const [testvm, infoOnly, testvm2] = result.events.map(dataOf);
    const vmId =
      '/subscriptions/4970d23e-ed41-4670-9c19-02a1d2808dd9/resourceGroups/TEST/providers/Microsoft.Compute/virtualMachines/testvm';
    expect(testvm).toEqual({
      schemaVersion: 1,
      provider: 'azure',
      origin: 'azure-resource-health-api',
      incidentKey: 'azure:BC_1-FXZ',
      updateKey: `azure:BC_1-FXZ:impacted:${vmId.toLowerCase()}`,
      category: 'resource-health',
      status: 'active',
      severity: 'warning',
      title: 'Resource impacted by BC_1-FXZ',
      summary: `Azure reports that resource ${vmId} (Microsoft.Compute/VirtualMachines, westus) is impacted by service health event BC_1-FXZ.`,
      services: ['Microsoft.Compute/VirtualMachines'],
      regions: ['westus'],
      scope: {
        tenantIds: [],
        subscriptionIds: ['4970d23e-ed41-4670-9c19-02a1d2808dd9', '{subscripitionid}'],
        accountIds: [],
        resourceIds: [vmId.toLowerCase()],
      },
      startedAt: null,
      updatedAt: '2026-01-22T10:00:00.000Z',
      resolvedAt: null,
      links: [{ label: 'Azure Service Health', url: 'https://app.azure.com/h/BC_1-FXZ' }],
      evidence: null,
      stage: null,
      attributes: {
        trackingId: 'BC_1-FXZ',
        impactedResourceId:
          '/subscriptions/{subscripitionId}/providers/Microsoft.ResourceHealth/events/BC_1-FXZ/impactedResources/abc-123-ghj-456',
        targetResourceType: 'Microsoft.Compute/VirtualMachines',
        targetResourceId: vmId,
        targetRegion: 'westus',
      },
    });
    // Only info[] pairs: kept as info.<key> attributes, keys as published (the misspelt AplicationID too).
    expect(infoOnly).toMatchObject({
      incidentKey: 'azure:BC_1-FXZ',
      // Keyed by the item, without the subscription it was listed under.
      updateKey:
        'azure:BC_1-FXZ:impacted:/providers/microsoft.resourcehealth/events/bc_1-fxz/impactedresources/jkl-901-hgy-445',
      status: 'active',
      severity: 'warning',
      title: 'Resource impacted by BC_1-FXZ',
      summary:
        'Azure reports a resource impacted by service health event BC_1-FXZ: ContainerGrp=xyz, UserGuid=guid, AplicationID=Abc, UserPrincipalObjectId=def.',
      services: [],
      regions: [],
      scope: { tenantIds: [], subscriptionIds: ['{subscripitionid}'], accountIds: [], resourceIds: [] },
    });
    expect(infoOnly?.attributes).toEqual({
      trackingId: 'BC_1-FXZ',
      impactedResourceId:
        '/subscriptions/{subscripitionId}/providers/Microsoft.ResourceHealth/events/BC_1-FXZ/impactedResources/jkl-901-hgy-445',
      targetResourceType: null,
      targetResourceId: null,
      targetRegion: null,
      'info.ContainerGrp': 'xyz',
      'info.UserGuid': 'guid',
      'info.AplicationID': 'Abc',
      'info.UserPrincipalObjectId': 'def',
    });
    expect(testvm2?.scope.resourceIds).toEqual([
      '/subscriptions/4970d23e-ed41-4670-9c19-02a1d2808dd9/resourcegroups/dev2/providers/microsoft.compute/virtualmachines/testvm2',
    ]);
    expect(new Set(result.events.map((event) => event.data.updateKey)).size).toBe(3);
    expectDetected(body, result);
  });
});

describe('Azure Resource Health REST: shapes and keys', () => {
  it('gives a single event object and the SDK flattened shape the same result as the list', () => {
    const body = loadBody('events-list-by-subscription-example');
    const listed = normalize(body).events[0];
    const item = items(body)[0] as Json;
    const single = normalize(item);
    expect(single.notices).toEqual([]);
    expect(single.events).toEqual([listed]);

    // @azure/arm-resourcehealth flattens properties onto the item and turns times into Date objects.
    const properties = item.properties as Json;
    const flattened: Json = {
      id: item.id,
      name: item.name,
      type: item.type,
      ...properties,
      impactStartTime: new Date(properties.impactStartTime as string),
      impactMitigationTime: new Date(properties.impactMitigationTime as string),
      lastUpdateTime: new Date(properties.lastUpdateTime as string),
    };
    expect(azureResourceHealthApiFormat.matches(flattened)).toBe(true);
    expect(normalize(flattened).events).toEqual([listed]);
    expect(normalize({ value: [flattened] }).events).toEqual([listed]);
    // The flattened JSON (times as strings) and a bare array behave the same.
    expect(normalize([JSON.parse(JSON.stringify(flattened))]).events).toEqual([listed]);
  });

  it('flattened availability statuses and impacted resources match their properties shape', () => {
    for (const variant of [
      'availability-statuses-list-by-subscription-example',
      'impacted-resources-list-example',
    ]) {
      const body = loadBody(variant);
      const flattened = items(body).map(({ properties, ...rest }) => ({ ...rest, ...(properties as Json) }));
      expect(normalize(flattened).events).toEqual(normalize(body).events);
    }
  });

  it('gives the same event listed from two subscriptions the same keys and different scopes', () => {
    const fromSubscription = (subscriptionId: string) => {
      const properties = structuredClone(eventItem().properties) as Json;
      const impact = properties.impact as { impactedRegions: Json[] }[];
      for (const region of impact[0]?.impactedRegions ?? []) region.impactedSubscriptions = [subscriptionId];
      return {
        value: [
          {
            ...eventItem(),
            id: `/subscriptions/${subscriptionId}/providers/Microsoft.ResourceHealth/events/BC_1-FXZ`,
            properties,
          },
        ],
      };
    };
    const first = normalize(fromSubscription('AAAAAAAA-0000-0000-0000-000000000001')).events[0];
    const second = normalize(fromSubscription('bbbbbbbb-0000-0000-0000-000000000002')).events[0];
    expect(dataOf(first).scope.subscriptionIds).toEqual(['aaaaaaaa-0000-0000-0000-000000000001']);
    expect(dataOf(second).scope.subscriptionIds).toEqual(['bbbbbbbb-0000-0000-0000-000000000002']);
    expect(second?.data.incidentKey).toBe(first?.data.incidentKey);
    expect(second?.data.updateKey).toBe(first?.data.updateKey);
    expect(second?.id).not.toBe(first?.id);
    // Received twice from the same subscription: the very same CloudEvent.
    expect(normalize(fromSubscription('AAAAAAAA-0000-0000-0000-000000000001')).events[0]).toEqual(first);
  });

  it('gives a changed lastUpdateTime a new updateKey within the same incident', () => {
    const first = dataOf(normalize(eventItem()).events[0]);
    const next = dataOf(
      normalize(eventItem({ lastUpdateTime: '2018-11-08T02:30:00.0000000+00:00' })).events[0],
    );
    expect(next.incidentKey).toBe(first.incidentKey);
    expect(next.updateKey).toBe('azure:BC_1-FXZ:api:active:2018-11-08T02:30:00.000Z');
    expect(next.updateKey).not.toBe(first.updateKey);
    expect(next.updatedAt).toBe('2018-11-08T02:30:00.000Z');
    // A trackingId spelt in another case is the same incident (the webhook key is upper-case).
    const lower = dataOf(normalize(eventItem({}, { name: 'bc_1-fxz' })).events[0]);
    expect(lower.incidentKey).toBe('azure:BC_1-FXZ');
    expect(lower.updateKey).toBe(first.updateKey);
  });

  it('keeps the other items of a list with a malformed one, with a notice', () => {
    const impacted = items(loadBody('impacted-resources-list-example'))[0];
    const result = normalize({
      value: [
        eventItem(),
        // A Resource Health event without name or id: no trackingId.
        { type: 'Microsoft.ResourceHealth/events', properties: { eventType: 'ServiceIssue' } },
        null,
        'text',
        // An availability status without availabilityState.
        {
          id: '/subscriptions/s/providers/Microsoft.ResourceHealth/availabilityStatuses/current',
          properties: {},
        },
        impacted,
      ],
    });
    expect(result.events.map((event) => event.data.incidentKey)).toEqual([
      'azure:BC_1-FXZ',
      'azure:BC_1-FXZ',
    ]);
    expect(result.events.map((event) => event.type)).toEqual([
      'io.crosswatch.provider.incident',
      'io.crosswatch.resource.health',
    ]);
    expect(result.notices).toEqual([
      expect.stringMatching(/^value\[1\] skipped: .*field value\[1\]\.name is missing/),
      expect.stringMatching(/^value\[2\] skipped: not a Resource Health/),
      expect.stringMatching(/^value\[3\] skipped: not a Resource Health/),
      expect.stringMatching(/^value\[4\] skipped: .*value\[4\]\.properties\.availabilityState/),
    ]);
  });

  it('throws InvalidInputError for a lone malformed item or a list of nothing usable', () => {
    const noTrackingId = {
      type: 'Microsoft.ResourceHealth/events',
      properties: { eventType: 'ServiceIssue' },
    };
    expect(() => azureResourceHealthApiFormat.normalize(noTrackingId, context)).toThrow(InvalidInputError);
    expect(() => azureResourceHealthApiFormat.normalize({ value: [noTrackingId] }, context)).toThrow(
      /value\[0\]\.name/,
    );
    expect(() =>
      azureResourceHealthApiFormat.normalize(
        { type: 'Microsoft.ResourceHealth/events/impactedResources', id: '/subscriptions/s/x', name: 'x' },
        context,
      ),
    ).toThrow(/field id does not contain events\/<trackingId>\/impactedResources/);
    expect(() => azureResourceHealthApiFormat.normalize({ value: [] }, context)).toThrow(InvalidInputError);
    expect(() => azureResourceHealthApiFormat.normalize(42, context)).toThrow(InvalidInputError);
  });
});

describe('Azure Resource Health REST: event mapping', () => {
  it.each([
    // eventType, status, impactStartTime, category, status, stage
    ['ServiceIssue', 'Resolved', '2018-11-07T00:00:00Z', 'incident', 'resolved', 'Resolved'],
    ['EmergingIssues', 'Active', '2018-11-07T00:00:00Z', 'incident', 'active', 'Active'],
    ['RCA', 'Active', '2018-11-07T00:00:00Z', 'incident', 'resolved', 'RCA'],
    ['PlannedMaintenance', 'Active', '2018-12-01T00:00:00Z', 'maintenance', 'scheduled', 'Active'],
    ['PlannedMaintenance', 'Active', '2018-11-07T00:00:00Z', 'maintenance', 'active', 'Active'],
    ['PlannedMaintenance', 'Resolved', '2018-11-07T00:00:00Z', 'maintenance', 'resolved', 'Resolved'],
    ['HealthAdvisory', 'Active', '2018-11-07T00:00:00Z', 'advisory', 'informational', 'Active'],
    ['SecurityAdvisory', 'Active', '2018-11-07T00:00:00Z', 'security', 'active', 'Active'],
  ] as const)(
    '%s %s (impact from %s) → %s/%s',
    (eventType, status, impactStartTime, category, expected, stage) => {
      const result = normalize(eventItem({ eventType, status, impactStartTime }));
      expect(result.notices).toEqual([]);
      const data = dataOf(result.events[0]);
      expect(data).toMatchObject({ category, status: expected, stage });
      expect(data.updateKey).toBe(`azure:BC_1-FXZ:api:${status.toLowerCase()}:2018-11-08T00:00:00.000Z`);
      expect(data.resolvedAt).toBe(expected === 'resolved' ? '2018-11-08T00:00:00.000Z' : null);
    },
  );

  it('maps an unknown eventType to an advisory with a notice', () => {
    const result = normalize(eventItem({ eventType: 'SomethingNew' }));
    expect(dataOf(result.events[0])).toMatchObject({ category: 'advisory', status: 'informational' });
    expect(result.notices).toEqual([expect.stringContaining('unknown eventType "SomethingNew"')]);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'treats the inherited member name %s as an unknown value, not a lookup hit',
    (token) => {
      const event = normalize(eventItem({ eventType: token, level: token })).events[0];
      expect(dataOf(event)).toMatchObject({ category: 'advisory', status: 'informational' });
    },
  );

  it.each([
    ['Critical', 'critical'],
    ['Error', 'error'],
    ['warning', 'warning'],
    ['Informational', 'info'],
  ] as const)('maps level %s to severity %s', (level, severity) => {
    expect(dataOf(normalize(eventItem({ level })).events[0]).severity).toBe(severity);
  });

  it('falls back to eventLevel when level is missing', () => {
    const data = dataOf(normalize(eventItem({ level: null, eventLevel: 'Critical' })).events[0]);
    expect(data.severity).toBe('critical');
    expect(data.attributes).toMatchObject({ level: null, eventLevel: 'Critical' });
  });

  it('uses the HTML article, then the header, when there is no summary', () => {
    const fromArticle = dataOf(normalize(eventItem({ summary: null })).events[0]);
    expect(fromArticle.summary).toBe(
      'An outage alert is being investigated. More information will be provided as it is known',
    );
    const fromHeader = dataOf(normalize(eventItem({ summary: '', article: {} })).events[0]);
    expect(fromHeader.summary).toBe('Your service might have been impacted by an Azure service issue');
  });

  it('collects every service, region, subscription and tenant, and keeps eventSubType', () => {
    const impact = [
      {
        impactedService: 'Virtual Machines',
        impactedRegions: [
          {
            impactedRegion: 'West US',
            status: 'Resolved',
            impactedSubscriptions: ['SUB-1'],
            impactedTenants: ['t-1'],
          },
          { impactedRegion: 'East US', status: 'Active', impactedSubscriptions: ['sub-2', 'sub-1'] },
        ],
      },
      {
        impactedService: 'Storage',
        impactedRegions: [{ impactedRegion: 'East US', impactedTenants: ['t-2'] }],
      },
      { impactedService: 'Virtual Machines' },
    ];
    const data = dataOf(normalize(eventItem({ impact, eventSubType: 'Retirement' })).events[0]);
    expect(data.services).toEqual(['Virtual Machines', 'Storage']);
    expect(data.regions).toEqual(['West US', 'East US']);
    expect(data.scope.subscriptionIds).toEqual(['sub-1', 'sub-2']);
    expect(data.scope.tenantIds).toEqual(['t-1', 't-2']);
    expect(data.attributes.regionStatuses).toBe('West US:Resolved,East US:Active,East US');
    expect(data.attributes.eventSubType).toBe('Retirement');
  });

  it('keeps links[] entries that carry an http(s) URL, and only those', () => {
    const links = [
      {
        type: 'Hyperlink',
        displayText: { value: 'Status page' },
        parameters: { url: 'https://status.azure.com/en-us/status' },
      },
      { type: 'Hyperlink', displayText: 'Bad', parameters: { url: 'javascript:alert(1)' } },
      {
        type: 'Button',
        displayText: { value: 'Blade' },
        bladeName: 'X',
        parameters: { trackingId: 'BC_1-FXZ' },
      },
    ];
    const data = dataOf(normalize(eventItem({ links })).events[0]);
    expect(data.links).toEqual([
      { label: 'Azure Service Health', url: 'https://app.azure.com/h/BC_1-FXZ' },
      { label: 'Status page', url: 'https://status.azure.com/en-us/status' },
    ]);
  });

  it('takes the trackingId from the id, then links, when name is missing', () => {
    const fromId = dataOf(normalize(eventItem({}, { name: undefined })).events[0]);
    expect(fromId.incidentKey).toBe('azure:BC_1-FXZ');
    const fromLinks = dataOf(normalize(eventItem({}, { name: undefined, id: undefined })).events[0]);
    expect(fromLinks.attributes.trackingId).toBe('BC_1-FXZ');
  });

  it('falls back to the latest region update, then receivedAt, for the update time', () => {
    const regionTime = dataOf(normalize(eventItem({ lastUpdateTime: null })).events[0]);
    expect(regionTime.updatedAt).toBe('2017-12-05T21:05:00.000Z');
    expect(regionTime.updateKey).toBe('azure:BC_1-FXZ:api:active:2017-12-05T21:05:00.000Z');
    const noTime = dataOf(normalize(eventItem({ lastUpdateTime: null, impact: [] })).events[0]);
    expect(noTime.updatedAt).toBe(context.receivedAt);
  });
});

describe('Azure Resource Health REST: availability statuses', () => {
  const base = items(loadBody('availability-statuses-list-by-subscription-example'))[1] as Json;
  const resourceId =
    '/subscriptions/4970D23E-ED41-4670-9C19-02A1D2808DD9/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1';
  const status = (overrides: Json) => ({
    ...base,
    id: `${resourceId}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`,
    properties: { ...(base.properties as Json), ...overrides },
  });

  it('derives the resource, its subscription and type from a real id', () => {
    const data = dataOf(normalize(status({ availabilityState: 'Degraded' })).events[0]);
    expect(data).toMatchObject({
      incidentKey: `azure-resource:${resourceId.toLowerCase()}`,
      updateKey: `azure-resource:${resourceId.toLowerCase()}:degraded:2016-03-29T09:12:00.000Z`,
      status: 'active',
      severity: 'warning',
      title: 'VM1: Degraded',
      services: ['Microsoft.Compute/virtualMachines'],
      scope: {
        tenantIds: [],
        subscriptionIds: ['4970d23e-ed41-4670-9c19-02a1d2808dd9'],
        accountIds: [],
        resourceIds: [resourceId.toLowerCase()],
      },
    });
  });

  it('maps Unknown and unexpected states to informational', () => {
    expect(dataOf(normalize(status({ availabilityState: 'Unknown' })).events[0])).toMatchObject({
      status: 'informational',
      severity: 'info',
    });
    const odd = normalize(status({ availabilityState: 'Sleeping' }));
    expect(dataOf(odd.events[0]).status).toBe('informational');
    expect(odd.notices).toEqual([expect.stringContaining('unknown availabilityState "Sleeping"')]);
  });

  it.each(['constructor', '__proto__', 'toString'])('maps the availabilityState %s as unknown', (token) => {
    const state = normalize(status({ availabilityState: token }));
    expect(dataOf(state.events[0])).toMatchObject({ status: 'informational', severity: 'info' });
  });

  it('keys on reportedTime when occuredTime is missing, and keeps http(s) action links', () => {
    const data = dataOf(
      normalize(
        status({
          occuredTime: undefined,
          recommendedActions: [{ action: 'Check', actionUrl: 'https://aka.ms/rh', actionUrlText: 'docs' }],
        }),
      ).events[0],
    );
    expect(data.updateKey).toBe(
      `azure-resource:${resourceId.toLowerCase()}:unavailable:2016-05-04T14:11:29.759Z`,
    );
    expect(data.startedAt).toBeNull();
    expect(data.links).toEqual([{ label: 'docs', url: 'https://aka.ms/rh' }]);
  });
});

describe('Azure Resource Health REST: detection', () => {
  it('claims list bodies, bare arrays and single items, including by id when type is absent', () => {
    const { matches } = azureResourceHealthApiFormat;
    for (const variant of [
      'events-list-by-subscription-example',
      'events-list-by-tenant-example',
      'availability-statuses-list-by-subscription-example',
      'impacted-resources-list-example',
    ]) {
      const body = loadBody(variant);
      expect(matches(body)).toBe(true);
      expect(matches(items(body))).toBe(true);
      expect(matches(items(body)[0])).toBe(true);
      const { type: _type, ...untyped } = items(body)[0] as Json;
      expect(matches(untyped)).toBe(true);
    }
    expect(matches({ type: 'MICROSOFT.RESOURCEHEALTH/EVENTS', name: 'X' })).toBe(true);
    const { type: _type, ...untyped } = eventItem();
    expect(normalize(untyped).events[0]?.data.incidentKey).toBe('azure:BC_1-FXZ');
  });

  it('claims no other format and never throws', () => {
    const { matches } = azureResourceHealthApiFormat;
    for (const fixture of loadInputFixtures()) {
      expect(matches(fixture.document), fixture.name).toBe(fixture.source === 'azure-resource-health-api');
    }
    for (const value of [
      null,
      undefined,
      0,
      '',
      'x',
      [],
      {},
      { value: [] },
      { value: null },
      [null],
      { type: 3 },
    ])
      expect(matches(value)).toBe(false);
    expect(
      matches({
        type: 'Microsoft.ResourceHealth/metadata',
        id: '/providers/Microsoft.ResourceHealth/events/x',
      }),
    ).toBe(false);
    expect(
      matches({
        value: [{ id: '/subscriptions/s/providers/Microsoft.Compute/virtualMachines/vm/events/1' }],
      }),
    ).toBe(false);
  });
});

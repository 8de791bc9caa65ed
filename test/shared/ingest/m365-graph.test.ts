import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProviderEventData } from '../../../shared/event/schema.ts';
import { InvalidInputError, NormalizeError } from '../../../shared/ingest/errors.ts';
import { m365GraphFormat } from '../../../shared/ingest/m365-graph.ts';
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
const { normalize } = createFormatHarness(m365GraphFormat);
const now = FIXED_NOW;
const ADMIN_CENTER = 'https://admin.microsoft.com/Adminportal/Home#/servicehealth/:/alerts/';
const EMPTY_SCOPE = { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] };
const NEXT_LINK_NOTICE = /@odata\.nextLink/;

function loadRaw(variant: string): string {
  return readFileSync(new URL(`../../fixtures/m365-graph/${variant}.json`, import.meta.url), 'utf8');
}

function load(variant: string): Json {
  return JSON.parse(loadRaw(variant)) as Json;
}

function single(document: unknown): ProviderEventData {
  const result = normalize(document);
  expect(result.events).toHaveLength(1);
  return dataOf(result.events[0]);
}

/** The MO226784 issue with fields replaced; undefined values delete the key. */
function issueOf(overrides: Json = {}): Json {
  const issue: Json = { ...structuredClone(load('issue-get-mo226784')), ...overrides };
  for (const [key, value] of Object.entries(issue)) if (value === undefined) delete issue[key];
  return issue;
}

/** The EX226792 issue from the list response. */
function listIssue(): Json {
  const first = (load('issues-list-response').value as Json[])[0];
  if (first === undefined) throw new Error('fixture has no issue');
  return first;
}

describe('Microsoft Graph service health: fixtures', () => {
  it('maps the single issue GET response (issue-get-mo226784, PascalCase enums)', () => {
    const result = normalize(load('issue-get-mo226784'));
    expect(result.notices).toEqual([]);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.provider.incident');
    expect(event?.source).toBe('/crosswatch/m365-graph');
    expect(event?.subject).toBe('m365:MO226784');
    expect(event?.time).toBe('2020-11-14T11:06:53.353Z');
    expect(dataOf(event)).toEqual({
      schemaVersion: 1,
      provider: 'm365',
      origin: 'm365-graph',
      incidentKey: 'm365:MO226784',
      updateKey: 'm365:MO226784:2020-11-14T11:06:53.353Z:servicerestored',
      category: 'advisory',
      status: 'resolved',
      severity: 'warning',
      title: 'Intermittently unable to access some Microsoft 365 services',
      summary: 'Users may have been intermittently unable to access some Microsoft 365 services.',
      services: ['Microsoft 365 suite'],
      regions: [],
      scope: EMPTY_SCOPE,
      startedAt: '2020-11-14T08:15:00.000Z',
      updatedAt: '2020-11-14T11:06:53.353Z',
      resolvedAt: '2020-11-14T09:45:00.000Z',
      links: [{ label: 'Microsoft 365 admin center', url: `${ADMIN_CENTER}MO226784` }],
      evidence: null,
      stage: 'ServiceRestored',
      attributes: {
        issueId: 'MO226784',
        classification: 'Advisory',
        graphStatus: 'ServiceRestored',
        origin: 'Microsoft',
        feature: 'Access',
        featureGroup: 'Portal',
        isResolved: true,
        postCount: 1,
        latestPostAt: '2020-11-12T07:07:38.970Z',
      },
    });
  });

  it('maps the list response (issues-list-response): one event per issue, nextLink notice', () => {
    const result = normalize(load('issues-list-response'));
    expect(result.events).toHaveLength(1);
    expect(result.notices).toEqual([expect.stringMatching(NEXT_LINK_NOTICE)]);
    expect(dataOf(result.events[0])).toEqual({
      schemaVersion: 1,
      provider: 'm365',
      origin: 'm365-graph',
      incidentKey: 'm365:EX226792',
      updateKey: 'm365:EX226792:2020-11-14T18:20:24.767Z:servicerestored',
      category: 'incident',
      status: 'resolved',
      severity: 'error',
      title: 'Limited number of users unable to send or receive email through the Exchange Online service',
      summary: 'Users may have been unable to send or receive email through the Exchange Online service.',
      services: ['Exchange Online'],
      regions: [],
      scope: EMPTY_SCOPE,
      startedAt: '2020-11-13T21:00:00.000Z',
      updatedAt: '2020-11-14T18:20:24.767Z',
      resolvedAt: '2020-11-14T17:15:00.000Z',
      links: [{ label: 'Microsoft 365 admin center', url: `${ADMIN_CENTER}EX226792` }],
      evidence: null,
      stage: 'ServiceRestored',
      attributes: {
        issueId: 'EX226792',
        classification: 'Incident',
        graphStatus: 'ServiceRestored',
        origin: 'Microsoft',
        feature: 'Mailflow - delayed delivery from Internet',
        featureGroup: 'E-Mail timely delivery',
        isResolved: true,
        postCount: 1,
        latestPostAt: '2020-11-12T07:07:38.970Z',
        'detail.NotifyInApp': 'True',
      },
    });
  });

  it('maps the resource "JSON representation" template (placeholder values) leniently', () => {
    const result = normalize(load('issue-resource-shape'));
    expect(result.notices).toEqual([
      'String (identifier): unknown classification "String"; treated as an advisory',
      'String (identifier): unknown status "String"; treated as active',
    ]);
    expect(dataOf(result.events[0])).toEqual({
      schemaVersion: 1,
      provider: 'm365',
      origin: 'm365-graph',
      incidentKey: 'm365:String (identifier)',
      // "String (timestamp)" is no time: the raw value identifies the update, never the receive time
      updateKey: 'm365:String (identifier):String (timestamp):string',
      category: 'advisory',
      status: 'active',
      severity: 'warning',
      title: 'String',
      summary: 'String',
      services: ['String'],
      regions: [],
      scope: EMPTY_SCOPE,
      startedAt: null,
      updatedAt: context.receivedAt,
      resolvedAt: null,
      links: [{ label: 'Microsoft 365 admin center', url: `${ADMIN_CENTER}String%20(identifier)` }],
      evidence: null,
      stage: 'String',
      attributes: {
        issueId: 'String (identifier)',
        classification: 'String',
        graphStatus: 'String',
        origin: 'String',
        feature: 'String',
        featureGroup: 'String',
        // "Boolean" is not a boolean
        isResolved: null,
        postCount: 1,
        latestPostAt: null,
      },
    });
  });
});

describe('Microsoft Graph service health: enums and status', () => {
  it('PascalCase (samples) and camelCase (docs) enums give the same result', () => {
    const pascal = single(listIssue());
    const camel = single({
      ...listIssue(),
      classification: 'incident',
      status: 'serviceRestored',
      origin: 'microsoft',
    });
    const { attributes: pascalAttributes, stage: pascalStage, ...pascalRest } = pascal;
    const { attributes: camelAttributes, stage: camelStage, ...camelRest } = camel;
    expect(camelRest).toEqual(pascalRest);
    expect(camel.updateKey).toBe(pascal.updateKey);
    // the published values are kept as published
    expect(camelStage).toBe('serviceRestored');
    expect(pascalStage).toBe('ServiceRestored');
    expect(camelAttributes.graphStatus).toBe('serviceRestored');
    expect(pascalAttributes.graphStatus).toBe('ServiceRestored');
    const upper = single({ ...listIssue(), classification: 'INCIDENT', status: 'SERVICERESTORED' });
    expect(upper.updateKey).toBe(pascal.updateKey);
    expect(upper.category).toBe('incident');
  });

  it('resolved statuses → resolved', () => {
    for (const status of [
      'serviceRestored',
      'postIncidentReviewPublished',
      'falsePositive',
      'resolved',
      'resolvedExternal',
      'mitigated',
      'MitigatedExternal',
    ]) {
      const data = single({ ...listIssue(), status, isResolved: false });
      expect(data.status, status).toBe('resolved');
      expect(data.resolvedAt, status).toBe('2020-11-14T17:15:00.000Z');
    }
  });

  it('open statuses → active, unless isResolved is true', () => {
    for (const status of [
      'investigating',
      'restoringService',
      'verifyingService',
      'serviceDegradation',
      'extendedRecovery',
      'confirmed',
      'reported',
      'investigationSuspended',
    ]) {
      const data = single({ ...listIssue(), status, isResolved: false, endDateTime: null });
      expect(data, status).toMatchObject({ status: 'active', severity: 'error', resolvedAt: null });
    }
    const flagged = single({
      ...listIssue(),
      status: 'Investigating',
      isResolved: 'true',
      endDateTime: undefined,
    });
    expect(flagged).toMatchObject({ status: 'resolved', resolvedAt: '2020-11-14T18:20:24.767Z' });
  });

  it('serviceInterruption → critical; other incidents → error; advisories → warning', () => {
    const interruption = single({ ...listIssue(), status: 'ServiceInterruption', isResolved: false });
    expect(interruption).toMatchObject({ status: 'active', severity: 'critical', category: 'incident' });
    const degradation = single({ ...listIssue(), status: 'serviceDegradation', isResolved: false });
    expect(degradation.severity).toBe('error');
    const advisory = single(issueOf({ status: 'serviceDegradation', isResolved: false }));
    expect(advisory).toMatchObject({ category: 'advisory', severity: 'warning', status: 'active' });
  });

  it('an unknown classification is an advisory with a notice; an unknown status is kept with a notice', () => {
    const result = normalize(
      issueOf({ classification: 'unknownFutureValue', status: 'somethingNew', isResolved: false }),
    );
    expect(dataOf(result.events[0])).toMatchObject({
      category: 'advisory',
      status: 'active',
      stage: 'somethingNew',
      updateKey: 'm365:MO226784:2020-11-14T11:06:53.353Z:somethingnew',
    });
    expect(result.notices).toEqual([
      'MO226784: unknown classification "unknownFutureValue"; treated as an advisory',
      'MO226784: unknown status "somethingNew"; treated as active',
    ]);
  });
});

describe('Microsoft Graph service health: updates', () => {
  it('the same issue polled twice gives the same updateKey and event id', () => {
    const first = normalize(load('issue-get-mo226784')).events[0];
    const again = m365GraphFormat.normalize(load('issue-get-mo226784'), {
      receivedAt: '2026-01-22T11:30:00.000Z',
      evidence: null,
    }).events[0];
    expect(dataOf(again).updateKey).toBe(dataOf(first).updateKey);
    expect(again?.id).toBe(first?.id);
    // the issue as a single GET and as a list item is the same update
    const inList = normalize({ value: [load('issue-get-mo226784')] }).events[0];
    expect(dataOf(inList).updateKey).toBe(dataOf(first).updateKey);
  });

  it('a new post with a new lastModifiedDateTime gives a new updateKey, same incidentKey', () => {
    const before = single(issueOf({ status: 'investigating', isResolved: false }));
    const issue = issueOf({ status: 'investigating', isResolved: false });
    const after = single({
      ...issue,
      lastModifiedDateTime: '2020-11-14T12:00:00Z',
      posts: [
        ...(issue.posts as unknown[]),
        {
          createdDateTime: '2020-11-14T12:00:00Z',
          postType: 'Regular',
          description: { contentType: 'Html', content: '<p>Next update</p>' },
        },
      ],
    });
    expect(after.incidentKey).toBe(before.incidentKey);
    expect(after.updateKey).not.toBe(before.updateKey);
    expect(after.updateKey).toBe('m365:MO226784:2020-11-14T12:00:00.000Z:investigating');
    expect(after.attributes).toMatchObject({ postCount: 2, latestPostAt: '2020-11-14T12:00:00.000Z' });
    // a status change alone is a new update too
    const restored = single(issueOf({ status: 'serviceRestored' }));
    expect(restored.updateKey).not.toBe(before.updateKey);
  });

  it('without lastModifiedDateTime the latest post time identifies the update and is updatedAt', () => {
    const issue = issueOf({ lastModifiedDateTime: undefined });
    const first = single(issue);
    expect(first).toMatchObject({
      updatedAt: '2020-11-12T07:07:38.970Z',
      updateKey: 'm365:MO226784:2020-11-12T07:07:38.970Z:servicerestored',
    });
    const noTimes = single(issueOf({ lastModifiedDateTime: undefined, posts: [], startDateTime: undefined }));
    expect(noTimes.updatedAt).toBe(context.receivedAt);
    expect(noTimes.updateKey).toBe('m365:MO226784:undated:servicerestored');
  });
});

describe('Microsoft Graph service health: text and fields', () => {
  it('without impactDescription the latest post (HTML) is the summary, as plain text', () => {
    const data = single(
      issueOf({
        impactDescription: undefined,
        posts: [
          {
            createdDateTime: '2020-11-14T10:00:00Z',
            postType: 'Regular',
            description: {
              contentType: 'html',
              content:
                '<p><b>Title:</b> Users can&#39;t sign in</p><p>User impact: Users may be unable to sign in.<br>More info: <a href="https://example.com">here</a> &amp; there.</p>',
            },
          },
          {
            createdDateTime: '2020-11-14T09:00:00Z',
            postType: 'Regular',
            description: { contentType: 'html', content: '<p>An older post</p>' },
          },
        ],
      }),
    );
    expect(data.summary).toBe(
      "Title: Users can't sign in\nUser impact: Users may be unable to sign in.\nMore info: here & there.",
    );
    expect(data.attributes).toMatchObject({ postCount: 2, latestPostAt: '2020-11-14T10:00:00.000Z' });
  });

  it('plain-text post content with \\n (the sample) becomes the summary with newlines', () => {
    const data = single(issueOf({ impactDescription: '' }));
    expect(data.summary).toBe(
      'Title: Intermittently unable to invite partners to meetings using some Microsoft 365 services\n\nUser Impact: Users may have been intermittently unable to invite partners to meetings using some Microsoft 365 services.',
    );
  });

  it('titles and impact descriptions are plain text; missing title falls back', () => {
    const data = single(
      issueOf({ title: '<b>Exchange</b> &amp; Teams\ndegraded', impactDescription: 'A &lt;b&gt; sign' }),
    );
    expect(data.title).toBe('Exchange & Teams degraded');
    expect(data.summary).toBe('A <b> sign');
    const untitled = single(issueOf({ title: null }));
    expect(untitled.title).toBe('Microsoft 365 suite Advisory MO226784');
  });

  it('details[] become detail.<name> attributes; odd entries are ignored', () => {
    const data = single(
      issueOf({
        details: [
          { name: 'NotifyInApp', value: 'True' },
          { name: 'ImpactedTenantCount', value: 12 },
          { name: 'Empty' },
          { value: 'no name' },
          'junk',
        ],
      }),
    );
    expect(data.attributes).toMatchObject({
      'detail.NotifyInApp': 'True',
      'detail.ImpactedTenantCount': '12',
      'detail.Empty': null,
    });
    expect(Object.keys(data.attributes).filter((key) => key.startsWith('detail.'))).toHaveLength(3);
  });

  it('resolvedAt falls back to updatedAt without endDateTime; open issues have none', () => {
    expect(single(issueOf({ endDateTime: undefined })).resolvedAt).toBe('2020-11-14T11:06:53.353Z');
    expect(single(issueOf({ status: 'investigating', isResolved: false })).resolvedAt).toBeNull();
  });

  it('reads PascalCase property names (PowerShell SDK output)', () => {
    const data = single({
      Id: 'EX1',
      Classification: 'Incident',
      Status: 'ServiceInterruption',
      Service: 'Exchange Online',
      Title: 'Mail down',
      ImpactDescription: 'No mail',
      IsResolved: false,
      LastModifiedDateTime: '2024-05-01T10:00:00Z',
    });
    expect(data).toMatchObject({
      incidentKey: 'm365:EX1',
      updateKey: 'm365:EX1:2024-05-01T10:00:00.000Z:serviceinterruption',
      severity: 'critical',
      title: 'Mail down',
      services: ['Exchange Online'],
    });
  });
});

describe('Microsoft Graph service health: shapes', () => {
  it('skips non-issue list items with a notice and normalizes the rest', () => {
    const result = normalize({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/issues',
      value: [listIssue(), { id: 'MC1', category: 'planForChange' }, 'junk', load('issue-get-mo226784')],
    });
    expect(result.events.map((event) => dataOf(event).incidentKey)).toEqual([
      'm365:EX226792',
      'm365:MO226784',
    ]);
    expect(result.notices).toEqual([
      'value[1] skipped: not a service health issue',
      'value[2] skipped: not a service health issue',
    ]);
  });

  it('an issue without id is an InvalidInputError naming id (skipped with a notice inside a list)', () => {
    const error = thrown(() => m365GraphFormat.normalize(issueOf({ id: undefined }), context));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('id');
    const mixed = normalize({ value: [issueOf({ id: undefined }), listIssue()] });
    expect(mixed.events).toHaveLength(1);
    expect(mixed.notices).toEqual([
      'value[0] skipped: m365-graph: field value[0].id is missing or not a string',
    ]);
    const onlyBad = thrown(() =>
      m365GraphFormat.normalize({ value: [issueOf({ id: '' }), issueOf({ id: { value: null } })] }, context),
    );
    expect(onlyBad).toBeInstanceOf(InvalidInputError);
  });

  it('an empty issues page yields no events and says so', () => {
    const result = normalize({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/issues',
      value: [],
    });
    expect(result.events).toEqual([]);
    expect(result.notices).toEqual(['the list holds no service health issues']);
  });

  it('non-issue inputs given to normalize throw a NormalizeError', () => {
    for (const document of [
      null,
      3,
      'text',
      {},
      [],
      { '@odata.context': 'x/serviceAnnouncement/issues/$entity' },
    ]) {
      expect(thrown(() => m365GraphFormat.normalize(document, context))).toBeInstanceOf(NormalizeError);
    }
  });

  it('matches Graph issues, issue lists and the issues @odata.context only, and never throws', () => {
    for (const variant of ['issue-get-mo226784', 'issue-resource-shape', 'issues-list-response']) {
      expect(m365GraphFormat.matches(load(variant))).toBe(true);
    }
    expect(m365GraphFormat.matches({ value: [null, 3, listIssue()] })).toBe(true);
    expect(
      m365GraphFormat.matches({
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/issues',
        value: [],
      }),
    ).toBe(true);
    for (const document of [
      null,
      undefined,
      1,
      'EX1',
      [],
      [listIssue()],
      {},
      { id: 'EX1', classification: 'incident' },
      { id: 5, classification: 'incident', service: 'x' },
      { value: [{ id: 'MC1', category: 'planForChange', severity: 'normal' }] },
      { value: [{ type: 'Microsoft.ResourceHealth/events', name: 'AB-CD', properties: {} }] },
      {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/messages',
        value: [],
      },
      { source: 'aws.health', 'detail-type': 'AWS Health Event', detail: {} },
    ]) {
      expect(m365GraphFormat.matches(document)).toBe(false);
    }
  });
});

describe('Microsoft Graph service health: detection', () => {
  it('normalizeText routes the list response and the single issue to m365-graph', () => {
    for (const [variant, updateKey] of [
      ['issues-list-response', 'm365:EX226792:2020-11-14T18:20:24.767Z:servicerestored'],
      ['issue-get-mo226784', 'm365:MO226784:2020-11-14T11:06:53.353Z:servicerestored'],
    ] as const) {
      const output = normalizeText(loadRaw(variant), { now });
      expect(output.format).toBe('m365-graph');
      expect(output.events).toHaveLength(1);
      for (const event of output.events) assertValidEvent(event);
      expect(dataOf(output.events[0]).updateKey).toBe(updateKey);
      expect(output.events[0]?.data.evidence?.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });
});

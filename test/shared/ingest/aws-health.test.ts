import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProviderEventData } from '../../../shared/event/schema.ts';
import { awsHealthFormat } from '../../../shared/ingest/aws-health.ts';
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
const { normalize } = createFormatHarness(awsHealthFormat);
const now = FIXED_NOW;
const DASHBOARD = 'https://health.aws.amazon.com/health/home#/account/event-log?eventID=';
const EMPTY_SCOPE = { tenantIds: [], subscriptionIds: [], accountIds: [], resourceIds: [] };

function load(variant: string): Json {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/aws-health/${variant}.json`, import.meta.url), 'utf8'),
  ) as Json;
}

function loadRaw(variant: string): string {
  return readFileSync(new URL(`../../fixtures/aws-health/${variant}.json`, import.meta.url), 'utf8');
}

function single(document: unknown): ProviderEventData {
  const result = normalize(document);
  expect(result.events).toHaveLength(1);
  return dataOf(result.events[0]);
}

/** A fixture with `detail` fields (and top-level fields) replaced; undefined values delete the key. */
function variantOf(variant: string, detail: Json = {}, top: Json = {}): Json {
  const document = structuredClone(load(variant));
  const merged: Json = { ...(document.detail as Json), ...detail };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const result: Json = { ...document, ...top, detail: merged };
  for (const [key, value] of Object.entries(result)) if (value === undefined) delete result[key];
  return result;
}

function dashboardLink(eventArn: string) {
  return [{ label: 'AWS Health Dashboard', url: `${DASHBOARD}${encodeURIComponent(eventArn)}` }];
}

const PUBLIC_EC2_ARN =
  'arn:aws:health:af-south-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_7f35c8ae-af1f-54e6-a526-d0179ed6d68f';
const BACKUP_ARN =
  'arn:aws:health:us-east-1::event/AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED_90353408594353980';
const LAMBDA_ARN = 'arn:aws:health:us-west-2::event/AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT_90353408594353980';
const ECS_ARN =
  'arn:aws:health:us-east-1::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/AWS_ECS_TASK_PATCHING_RETIREMENT_test1';
const AHA_ARN =
  'arn:aws:health:us-east-1::event/VPN/AWS_VPN_REDUNDANCY_LOSS/AWS_VPN_REDUNDANCY_LOSS-1656151378267-7672191-IAD';

describe('AWS Health: fixtures', () => {
  it('maps the public EC2 operational issue (open + endTime + [RESOLVED] text → resolved)', () => {
    const result = normalize(load('public-issue-ec2-operational'));
    expect(result.notices).toEqual([]);
    const event = result.events[0];
    expect(event?.type).toBe('io.crosswatch.provider.incident');
    expect(event?.source).toBe('/crosswatch/aws-health');
    expect(event?.subject).toBe(`aws:${PUBLIC_EC2_ARN}`);
    expect(event?.time).toBe('2023-01-27T09:01:22.000Z');
    expect(dataOf(event)).toEqual({
      schemaVersion: 1,
      provider: 'aws',
      origin: 'aws-health',
      incidentKey: `aws:${PUBLIC_EC2_ARN}`,
      updateKey: `aws:${PUBLIC_EC2_ARN}:01b0993207d81a09dcd552ebd1e633e36cf1f09a:open`,
      category: 'incident',
      status: 'resolved',
      severity: 'error',
      title: 'EC2 operational issue',
      summary:
        'Current severity level: Operating normally\n\n[RESOLVED]\n\n[03:15 PM PST] We continue see recovery\n\nThe following AWS services were previously impacted but are now operating normally: APPSYNC, BACKUP, EVENTS.',
      services: ['EC2'],
      regions: ['af-south-1'],
      scope: { ...EMPTY_SCOPE, accountIds: ['123456789012'] },
      startedAt: '2023-01-27T06:02:51.000Z',
      updatedAt: '2023-01-27T09:01:22.000Z',
      resolvedAt: '2023-01-27T09:01:22.000Z',
      links: dashboardLink(PUBLIC_EC2_ARN),
      evidence: null,
      stage: 'open',
      attributes: {
        eventArn: PUBLIC_EC2_ARN,
        eventTypeCode: 'AWS_EC2_OPERATIONAL_ISSUE',
        eventTypeCategory: 'issue',
        eventScopeCode: 'PUBLIC',
        statusCode: 'open',
        communicationId: '01b0993207d81a09dcd552ebd1e633e36cf1f09a-1',
        page: 1,
        totalPages: 1,
        backupEvent: false,
        actionability: null,
        personas: 'OPERATIONS',
        deliveryRegion: 'af-south-1',
        source: 'aws.health',
        detailType: 'AWS Health Event',
      },
    });
  });

  it('maps the account-specific ELB API issue (no lastUpdatedTime, no affectedEntities, no service ARN segment)', () => {
    const arn = 'arn:aws:health:ap-southeast-2::event/AWS_ELASTICLOADBALANCING_API_ISSUE_90353408594353980';
    const data = single(load('account-issue-elb-api'));
    expect(data).toMatchObject({
      incidentKey: `aws:${arn}`,
      updateKey: `aws:${arn}:01b0993207d81a09dcd552ebd1e633e36cf1f09a:open`,
      category: 'incident',
      // endTime 05:30:57 is before the event time 06:27:57 (there is no lastUpdatedTime).
      status: 'resolved',
      severity: 'warning',
      title: 'ELASTICLOADBALANCING API issue',
      summary: 'A description of the event will be provided here',
      services: ['ELASTICLOADBALANCING'],
      regions: ['ap-southeast-2'],
      scope: { ...EMPTY_SCOPE, accountIds: ['123456789012'] },
      startedAt: '2022-06-10T05:01:10.000Z',
      updatedAt: '2022-06-10T06:27:57.000Z',
      resolvedAt: '2022-06-10T05:30:57.000Z',
      links: dashboardLink(arn),
      stage: 'open',
    });
    expect(data.attributes).toMatchObject({
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      backupEvent: false,
      deliveryRegion: 'ap-southeast-2',
    });
    expect(data.attributes).not.toHaveProperty('affectedEntityStatuses');
  });

  it('maps the backup-Region copy (delivery region us-west-2, event region us-east-1, one-digit days)', () => {
    const data = single(load('account-issue-ec2-backup-event'));
    expect(data).toMatchObject({
      incidentKey: `aws:${BACKUP_ARN}`,
      updateKey: `aws:${BACKUP_ARN}:01b0993207d81a09dcd552ebd1e633e36cf1f09a:open`,
      category: 'incident',
      status: 'resolved',
      severity: 'warning',
      title: 'EC2 instance store drive performance degraded',
      summary: 'A description of the event will be provided here',
      services: ['EC2'],
      regions: ['us-east-1'],
      scope: { ...EMPTY_SCOPE, accountIds: ['123456789012'], resourceIds: ['i-abcd1111'] },
      // "Fri, 3 Jun 2022 05:01:10 GMT": a one-digit day.
      startedAt: '2022-06-03T05:01:10.000Z',
      updatedAt: '2022-06-03T06:27:57.000Z',
      resolvedAt: '2022-06-03T05:30:57.000Z',
      links: dashboardLink(BACKUP_ARN),
      stage: 'open',
    });
    expect(data.attributes).toMatchObject({
      backupEvent: true,
      deliveryRegion: 'us-west-2',
      page: 1,
      totalPages: 1,
      communicationId: '01b0993207d81a09dcd552ebd1e633e36cf1f09a-1',
    });
  });

  it('maps the scheduled EC2 instance retirement (no resources key, future start, ACTION_REQUIRED)', () => {
    const arn = 'arn:aws:health:us-east-1::event/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_90353408594353983';
    const result = normalize(load('account-scheduled-ec2-retirement'));
    expect(result.notices).toEqual([]);
    expect(dataOf(result.events[0])).toEqual({
      schemaVersion: 1,
      provider: 'aws',
      origin: 'aws-health',
      incidentKey: `aws:${arn}`,
      updateKey: `aws:${arn}:1234abc01232a4012345678:open`,
      category: 'maintenance',
      // open, but the retirement starts after the update was published.
      status: 'scheduled',
      severity: 'warning',
      title: 'EC2 instance retirement scheduled',
      summary: 'A description of the event will be provided here',
      services: ['EC2'],
      regions: ['us-east-1'],
      scope: {
        ...EMPTY_SCOPE,
        accountIds: ['123456789012'],
        resourceIds: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0'],
      },
      // "Thu, 27 Aug 2026" and "Thu, 27 Jan 2026": wrong weekdays are ignored.
      startedAt: '2026-08-27T13:19:03.000Z',
      updatedAt: '2026-01-27T13:44:13.000Z',
      resolvedAt: null,
      links: dashboardLink(arn),
      evidence: null,
      stage: 'open',
      attributes: {
        eventArn: arn,
        eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
        eventTypeCategory: 'scheduledChange',
        eventScopeCode: 'ACCOUNT_SPECIFIC',
        statusCode: 'open',
        communicationId: '1234abc01232a4012345678-1',
        page: 1,
        totalPages: 1,
        backupEvent: false,
        truncated: true,
        actionability: 'ACTION_REQUIRED',
        personas: 'OPERATIONS',
        deliveryRegion: 'us-east-1',
        source: 'aws.health',
        detailType: 'AWS Health Event',
        affectedEntityStatuses: 'PENDING:1',
        'metadata.keystring1': 'valuestring1',
        'metadata.keystring2': 'valuestring2',
        'metadata.keystring3': 'valuestring3',
        'metadata.keystring4': 'valuestring4',
      },
    });
  });

  it('maps page 1 of the paginated Lambda lifecycle event (totalPages "10")', () => {
    const result = normalize(load('account-scheduled-lambda-lifecycle-paginated'));
    expect(result.notices).toEqual([expect.stringMatching(/page 1 of 10/)]);
    const data = dataOf(result.events[0]);
    expect(data).toMatchObject({
      incidentKey: `aws:${LAMBDA_ARN}`,
      updateKey: `aws:${LAMBDA_ARN}:1234abc01232a4012345678:open`,
      category: 'maintenance',
      status: 'scheduled',
      severity: 'warning',
      title: 'LAMBDA planned lifecycle event',
      summary: 'A description of the event will be provided here',
      services: ['LAMBDA'],
      regions: ['us-west-2'],
      scope: {
        ...EMPTY_SCOPE,
        accountIds: ['123456789012'],
        // top-level resources and affectedEntities[].entityValue, de-duplicated
        resourceIds: [
          'arn:lambda-1-101002929',
          'arn:lambda-1-101002930',
          'arn:lambda-1-101002931',
          'arn:lambda-1-101002932',
        ],
      },
      startedAt: '2026-08-27T13:19:03.000Z',
      updatedAt: '2026-01-27T13:44:13.000Z',
      resolvedAt: null,
      links: dashboardLink(LAMBDA_ARN),
    });
    expect(data.attributes).toMatchObject({
      page: 1,
      totalPages: 10,
      truncated: true,
      affectedEntityStatuses: 'PENDING:3,RESOLVED:1',
      actionability: 'ACTION_REQUIRED',
    });
  });

  it('maps the AHA re-published event (object description, Python times, detail.arn, backticked account)', () => {
    const result = normalize(load('aha-account-notification-vpn'));
    expect(result.notices).toEqual([]);
    const data = dataOf(result.events[0]);
    expect(data).toMatchObject({
      incidentKey: `aws:${AHA_ARN}`,
      // no communicationId: the update is identified by lastUpdatedTime
      updateKey: `aws:${AHA_ARN}:2022-06-25T10:02:58.371Z:open`,
      category: 'advisory',
      status: 'informational',
      severity: 'info',
      title: 'VPN redundancy loss',
      services: ['VPN'],
      regions: ['us-east-1'],
      // `234567890123` without its backticks, plus the entity's awsAccountId
      scope: {
        ...EMPTY_SCOPE,
        accountIds: ['234567890123', '987654321987'],
        resourceIds: ['vpn-0d0e3eeefe6aabb0d'],
      },
      startedAt: '2022-06-25T10:00:48.868Z',
      updatedAt: '2022-06-25T10:02:58.371Z',
      resolvedAt: null,
      links: dashboardLink(AHA_ARN),
      stage: 'open',
    });
    expect(data.summary).toMatch(/^Your VPN Connection associated with this event in the us-east-1 Region/);
    expect(data.summary).toContain('operating normally.\n\nReplacements can occur');
    expect(data.summary).toContain('[2] https://console.aws.amazon.com');
    expect(data.attributes).toMatchObject({
      eventArn: AHA_ARN,
      source: 'aha',
      detailType: 'AHA Event',
      communicationId: null,
      deliveryRegion: 'us-east-1',
    });
  });

  it('maps the PutEvents entries file (Detail as a JSON string, Resources on the entry, no statusCode)', () => {
    const result = normalize(load('putevents-ecs-task-patching-detail-string') as unknown);
    expect(result.notices).toEqual([expect.stringMatching(/^\[0\] .*statusCode is missing/)]);
    const data = dataOf(result.events[0]);
    expect(data).toMatchObject({
      incidentKey: `aws:${ECS_ARN}`,
      updateKey: `aws:${ECS_ARN}:7988399e2e6fb0b905ddc88e0e2de1fd17e4c9fa60349577446d95a18f1f36ec:active`,
      category: 'maintenance',
      // endTime (18 Aug) is after lastUpdatedTime (16 Aug): still running
      status: 'active',
      severity: 'warning',
      title: 'ECS task patching retirement',
      services: ['ECS'],
      regions: ['us-east-1'],
      scope: {
        ...EMPTY_SCOPE,
        resourceIds: [
          'test_cluster1 | service1',
          'test_cluster2 | service2',
          'cluster/service1',
          'cluster/service2',
        ],
      },
      startedAt: '2023-08-16T23:18:51.000Z',
      updatedAt: '2023-08-16T23:18:52.000Z',
      resolvedAt: null,
      links: dashboardLink(ECS_ARN),
      stage: null,
    });
    // Literal backslash-n sequences became newlines.
    expect(data.summary).toMatch(/^AsoftwareupdatehasbeendeployedtoFargate/);
    expect(data.summary).toContain('deploytaskdefinitionrevisions.');
    expect(data.summary).toContain(
      '\n\n(1)https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-types.html',
    );
    expect(data.summary).not.toContain('\\n');
    expect(data.attributes).toMatchObject({
      source: 'com.samplevent',
      detailType: 'AWS Health Event',
      statusCode: null,
      deliveryRegion: null,
      plannedEnd: '2023-08-18T23:18:51.000Z',
    });
  });

  it('maps the RISK credentials-exposed event as security / critical', () => {
    const arn = 'arn:aws:health:us-east-1::event/AWS_RISK_CREDENTIALS_EXPOSED_XXXXXXXXXXXXXXXXX';
    const result = normalize(load('risk-credentials-exposed'));
    expect(result.notices).toEqual([expect.stringMatching(/statusCode is missing/)]);
    expect(dataOf(result.events[0])).toMatchObject({
      incidentKey: `aws:${arn}`,
      updateKey: `aws:${arn}:2016-06-05T15:10:09.000Z:active`,
      category: 'security',
      status: 'active',
      severity: 'critical',
      title: 'RISK credentials exposed',
      summary: 'A description of the event will be provided here',
      services: ['RISK'],
      regions: ['us-east-1'],
      scope: { ...EMPTY_SCOPE, accountIds: ['123456789012'], resourceIds: ['ACCESS_KEY_ID_HERE'] },
      startedAt: '2016-06-05T15:10:09.000Z',
      updatedAt: '2016-06-05T06:27:57.000Z',
      resolvedAt: null,
      links: dashboardLink(arn),
      stage: null,
    });
  });

  it('maps the sms-notifier test event (placeholder category, no statusCode, endTime in the past)', () => {
    const arn = 'arn:aws:health:us-east-1::event/AWS_HEALTH_TEST_ALERT';
    const result = normalize(load('sms-notifier-test-event'));
    expect(result.notices).toEqual([
      `${arn}: unknown eventTypeCategory "category"; treated as advisory`,
      `${arn}: statusCode is missing; status derived from endTime`,
    ]);
    expect(dataOf(result.events[0])).toMatchObject({
      incidentKey: `aws:${arn}`,
      updateKey: `aws:${arn}:2016-06-05T05:01:10.000Z:resolved`,
      category: 'advisory',
      status: 'resolved',
      severity: 'info',
      title: 'EC2 health test event',
      summary: 'something is wrong',
      services: ['AWS_EC2'],
      regions: ['us-east-1'],
      scope: { ...EMPTY_SCOPE, accountIds: ['123456789012'] },
      startedAt: '2016-06-05T05:01:10.000Z',
      updatedAt: '2016-06-05T06:27:57.000Z',
      resolvedAt: '2016-06-05T05:30:57.000Z',
      links: dashboardLink(arn),
      stage: null,
    });
  });

  it('maps the old-style EC2 instance store test event (no scope code, statusCode, communicationId, eventRegion)', () => {
    const arn =
      'arn:aws:health:us-west-2::event/AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED_90353408594353980';
    const data = single(load('test-event-ec2-instance-store-degraded'));
    expect(data).toMatchObject({
      incidentKey: `aws:${arn}`,
      updateKey: `aws:${arn}:2016-06-05T15:10:09.000Z:active`,
      category: 'incident',
      status: 'active',
      severity: 'warning',
      title: 'EC2 instance store drive performance degraded',
      summary: 'A description of the event will be provided here',
      services: ['EC2'],
      // no eventRegion: the event ARN's Region (it equals the delivery region here)
      regions: ['us-west-2'],
      scope: { ...EMPTY_SCOPE, accountIds: ['123456789012'], resourceIds: ['i-abcd1111'] },
      startedAt: '2016-06-05T15:10:09.000Z',
      updatedAt: '2016-06-05T06:27:57.000Z',
      resolvedAt: null,
      links: dashboardLink(arn),
    });
    expect(data.attributes).toMatchObject({
      eventScopeCode: null,
      statusCode: null,
      communicationId: null,
      page: null,
      backupEvent: null,
    });
  });
});

describe('AWS Health: duplicates and updates', () => {
  it('the backupEvent copy and the primary copy have the same updateKey', () => {
    const backup = load('account-issue-ec2-backup-event');
    const primary = variantOf(
      'account-issue-ec2-backup-event',
      { backupEvent: 'false' },
      { region: 'us-east-1' },
    );
    const backupData = single(backup);
    const primaryData = single(primary);
    expect(primaryData.updateKey).toBe(backupData.updateKey);
    expect(primaryData.incidentKey).toBe(backupData.incidentKey);
    expect(primaryData.regions).toEqual(['us-east-1']);
    expect(primaryData.attributes.deliveryRegion).toBe('us-east-1');
    expect(backupData.attributes.deliveryRegion).toBe('us-west-2');
  });

  it('page 1 and page 2 of one communication share the updateKey and differ in resourceIds', () => {
    const page1 = single(load('account-scheduled-lambda-lifecycle-paginated'));
    const page2 = single(
      variantOf(
        'account-scheduled-lambda-lifecycle-paginated',
        {
          communicationId: '1234abc01232a4012345678-2',
          page: '2',
          affectedEntities: [
            {
              entityValue: 'arn:lambda-1-101002933',
              lastUpdatedTime: 'Thu, 26 Jan 2026 19:11:00 GMT',
              status: 'PENDING',
            },
          ],
        },
        { resources: ['arn:lambda-1-101002933'] },
      ),
    );
    expect(page2.updateKey).toBe(page1.updateKey);
    expect(page2.incidentKey).toBe(page1.incidentKey);
    expect(page2.scope.resourceIds).toEqual(['arn:lambda-1-101002933']);
    expect(page2.scope.resourceIds).not.toEqual(page1.scope.resourceIds);
    expect(page2.attributes).toMatchObject({ page: 2, communicationId: '1234abc01232a4012345678-2' });
  });

  it('the same update received by another account has the same keys and another scope', () => {
    const first = normalize(load('public-issue-ec2-operational')).events[0];
    const other = normalize(
      variantOf(
        'public-issue-ec2-operational',
        { affectedAccount: '210987654321' },
        { account: '210987654321' },
      ),
    ).events[0];
    expect(dataOf(other).incidentKey).toBe(dataOf(first).incidentKey);
    expect(dataOf(other).updateKey).toBe(dataOf(first).updateKey);
    expect(dataOf(other).scope.accountIds).toEqual(['210987654321']);
    expect(other?.id).not.toBe(first?.id);
  });

  it('the same update received twice yields identical events', () => {
    const raw = loadRaw('account-issue-ec2-backup-event');
    expect(normalize(JSON.parse(raw))).toEqual(normalize(JSON.parse(raw)));
  });

  it('a new communication or a new statusCode gives a new updateKey, same incidentKey', () => {
    const base = single(load('public-issue-ec2-operational'));
    const next = single(
      variantOf('public-issue-ec2-operational', {
        communicationId: '9f00000000000000000000000000000000000000-1',
        lastUpdatedTime: 'Fri, 27 Jan 2023 10:00:00 GMT',
      }),
    );
    const closed = single(variantOf('public-issue-ec2-operational', { statusCode: 'closed' }));
    expect(new Set([base.updateKey, next.updateKey, closed.updateKey]).size).toBe(3);
    expect(new Set([base.incidentKey, next.incidentKey, closed.incidentKey]).size).toBe(1);
    expect(closed.updateKey).toBe(`aws:${PUBLIC_EC2_ARN}:01b0993207d81a09dcd552ebd1e633e36cf1f09a:closed`);
  });

  it('without a communicationId, lastUpdatedTime identifies the update', () => {
    const first = single(load('aha-account-notification-vpn'));
    const later = single(
      variantOf('aha-account-notification-vpn', { lastUpdatedTime: '2022-06-25 11:00:00.000000+00:00' }),
    );
    expect(later.updateKey).toBe(`aws:${AHA_ARN}:2022-06-25T11:00:00.000Z:open`);
    expect(later.updateKey).not.toBe(first.updateKey);
    expect(later.incidentKey).toBe(first.incidentKey);
  });
});

describe('AWS Health: status, category and severity', () => {
  it('closed → resolved with resolvedAt = endTime (or updatedAt without endTime)', () => {
    const closed = single(variantOf('public-issue-ec2-operational', { statusCode: 'closed' }));
    expect(closed).toMatchObject({
      status: 'resolved',
      resolvedAt: '2023-01-27T09:01:22.000Z',
      stage: 'closed',
    });
    const noEnd = single(
      variantOf('public-issue-ec2-operational', { statusCode: 'closed', endTime: undefined }),
    );
    expect(noEnd).toMatchObject({ status: 'resolved', resolvedAt: '2023-01-27T09:01:22.000Z' });
  });

  it('open without endTime → active; open with endTime after lastUpdatedTime → active', () => {
    const open = single(variantOf('public-issue-ec2-operational', { endTime: undefined }));
    expect(open).toMatchObject({ status: 'active', severity: 'error', resolvedAt: null });
    const later = single(
      variantOf('public-issue-ec2-operational', { endTime: 'Fri, 27 Jan 2023 12:00:00 GMT' }),
    );
    expect(later).toMatchObject({ status: 'active', resolvedAt: null });
  });

  it('open with endTime and no lastUpdatedTime compares with the top-level time', () => {
    const data = single(
      variantOf(
        'public-issue-ec2-operational',
        { lastUpdatedTime: undefined },
        { time: '2023-01-27T08:00:00Z' },
      ),
    );
    expect(data).toMatchObject({ status: 'active', updatedAt: '2023-01-27T08:00:00.000Z' });
  });

  it('upcoming → scheduled', () => {
    const data = single(variantOf('account-scheduled-ec2-retirement', { statusCode: 'upcoming' }));
    expect(data).toMatchObject({ status: 'scheduled', category: 'maintenance', severity: 'warning' });
    expect(data.updateKey).toMatch(/:upcoming$/);
  });

  it('missing statusCode with a future endTime → not resolved (informational advisory, active incident)', () => {
    const data = single(variantOf('sms-notifier-test-event', { endTime: 'Sun, 5 Jun 2016 09:00:00 GMT' }));
    expect(data).toMatchObject({ status: 'informational', resolvedAt: null });
    const incident = single(
      variantOf('sms-notifier-test-event', {
        eventTypeCategory: 'issue',
        endTime: 'Sun, 5 Jun 2016 09:00:00 GMT',
      }),
    );
    expect(incident).toMatchObject({ status: 'active', category: 'incident' });
  });

  it('investigation → incident; PUBLIC incidents are errors, account-specific ones warnings', () => {
    const investigation = single(variantOf('account-issue-elb-api', { eventTypeCategory: 'investigation' }));
    expect(investigation).toMatchObject({ category: 'incident', severity: 'warning' });
    const publicOne = single(variantOf('account-issue-elb-api', { eventScopeCode: 'PUBLIC' }));
    expect(publicOne.severity).toBe('error');
  });

  it('accountNotification → advisory (informational), or action-required when ACTION_REQUIRED', () => {
    const advisory = single(load('aha-account-notification-vpn'));
    expect(advisory).toMatchObject({ category: 'advisory', status: 'informational', severity: 'info' });
    const action = single(variantOf('aha-account-notification-vpn', { actionability: 'ACTION_REQUIRED' }));
    expect(action).toMatchObject({ category: 'action-required', status: 'active', severity: 'info' });
  });

  it('"AWS Health Abuse Event" and SECURITY/ABUSE event type codes → security / critical', () => {
    const abuse = single(variantOf('account-issue-elb-api', {}, { 'detail-type': 'AWS Health Abuse Event' }));
    expect(abuse).toMatchObject({ category: 'security', severity: 'critical' });
    const security = single(
      variantOf('aha-account-notification-vpn', {
        eventTypeCode: 'AWS_SECURITY_NOTIFICATION',
        service: 'SECURITY',
      }),
    );
    expect(security).toMatchObject({
      category: 'security',
      severity: 'critical',
      title: 'SECURITY notification',
    });
    const abuseCode = single(
      variantOf('account-issue-elb-api', { eventTypeCode: 'AWS_ABUSE_DOS_REPORT', service: 'ABUSE' }),
    );
    expect(abuseCode.category).toBe('security');
  });

  it('non-standard categories are accepted leniently with a notice', () => {
    const result = normalize(variantOf('account-issue-elb-api', { eventTypeCategory: 'plannedChange' }));
    expect(dataOf(result.events[0])).toMatchObject({ category: 'maintenance', severity: 'warning' });
    expect(result.notices).toEqual([
      expect.stringMatching(/unknown eventTypeCategory "plannedChange"; treated as maintenance/),
    ]);
    // an Object.prototype member name is just another unknown value
    const proto = normalize(variantOf('account-issue-elb-api', { eventTypeCategory: 'constructor' }));
    expect(dataOf(proto.events[0]).category).toBe('advisory');
    const missing = normalize(variantOf('account-issue-elb-api', { eventTypeCategory: undefined }));
    expect(dataOf(missing.events[0]).category).toBe('advisory');
    expect(missing.notices).toEqual([expect.stringMatching(/eventTypeCategory is missing/)]);
  });

  it('an unknown statusCode is kept as the stage and the status derived from endTime', () => {
    const result = normalize(variantOf('public-issue-ec2-operational', { statusCode: 'weird' }));
    expect(dataOf(result.events[0])).toMatchObject({ status: 'resolved', stage: 'weird' });
    expect(result.notices).toEqual([expect.stringMatching(/unknown statusCode "weird"/)]);
  });
});

describe('AWS Health: fields', () => {
  it('regions never use the delivery region: eventRegion, else AHA region, else the ARN Region', () => {
    const noRegion = single(
      variantOf('account-issue-ec2-backup-event', { eventRegion: undefined }, { region: 'eu-west-1' }),
    );
    expect(noRegion.regions).toEqual(['us-east-1']);
    expect(noRegion.attributes.deliveryRegion).toBe('eu-west-1');
    const noArnRegion = single(
      variantOf('account-issue-ec2-backup-event', { eventRegion: undefined, eventArn: 'arn-without-region' }),
    );
    expect(noArnRegion.regions).toEqual([]);
  });

  it('strings for numbers and booleans; personas joined', () => {
    const data = single(
      variantOf('account-scheduled-lambda-lifecycle-paginated', {
        page: 3,
        totalPages: '10',
        backupEvent: 'TRUE',
        personas: ['OPERATIONS', 'SECURITY', 'OPERATIONS'],
        eventMetadata: { truncated: 'false' },
      }),
    );
    expect(data.attributes).toMatchObject({
      page: 3,
      totalPages: 10,
      backupEvent: true,
      truncated: false,
      personas: 'OPERATIONS,SECURITY',
    });
  });

  it('affectedAccount wins over the receiving account; numeric accounts keep 12 digits', () => {
    const delegated = single(
      variantOf(
        'public-issue-ec2-operational',
        { affectedAccount: '`111122223333`' },
        { account: '444455556666' },
      ),
    );
    expect(delegated.scope.accountIds).toEqual(['111122223333']);
    const numeric = single(variantOf('public-issue-ec2-operational', { affectedAccount: 12345678901 }));
    expect(numeric.scope.accountIds).toEqual(['012345678901']);
    const junk = single(
      variantOf('public-issue-ec2-operational', { affectedAccount: 'n/a' }, { account: 'n/a' }),
    );
    expect(junk.scope.accountIds).toEqual([]);
  });

  it('updatedAt falls back to the top-level time, then receivedAt', () => {
    const noTimes = single(
      variantOf('test-event-ec2-instance-store-degraded', { startTime: undefined }, { time: undefined }),
    );
    expect(noTimes).toMatchObject({ updatedAt: context.receivedAt, startedAt: null });
    // the update identity never uses the receive time
    expect(noTimes.updateKey).not.toContain(context.receivedAt);
  });

  it('chooses the en_US description among several languages, else the first one', () => {
    const data = single(
      variantOf('account-issue-elb-api', {
        eventDescription: [
          { language: 'fr_FR', latestDescription: 'Une description' },
          { language: 'en_US', latestDescription: '<p>An <b>English</b> description &amp; more</p>' },
        ],
      }),
    );
    expect(data.summary).toBe('An English description & more');
    const other = single(
      variantOf('account-issue-elb-api', {
        eventDescription: [{ language: 'ja_JP', latestDescription: '説明' }],
      }),
    );
    expect(other.summary).toBe('説明');
    const none = single(variantOf('account-issue-elb-api', { eventDescription: undefined }));
    expect(none.summary).toBe('ELASTICLOADBALANCING API issue');
  });

  it('derives titles from event type codes', () => {
    const title = (eventTypeCode: unknown, service: unknown) =>
      single(variantOf('account-issue-elb-api', { eventTypeCode, service })).title;
    expect(title('AWS_EC2_OPERATIONAL_ISSUE', 'EC2')).toBe('EC2 operational issue');
    expect(title('AWS_EC2_HEALTH_TEST_EVENT', 'AWS_EC2')).toBe('EC2 health test event');
    expect(title('AWS_RDS_MAINTENANCE_SCHEDULED', undefined)).toBe('RDS maintenance scheduled');
    expect(title('AWS_S3_OPERATIONAL_ISSUE', 'CLOUDFRONT')).toBe('CLOUDFRONT S3 operational issue');
    expect(title(undefined, 'EC2')).toBe('EC2 health event');
    expect(title(undefined, undefined)).toBe('AWS health event');
  });

  it('the dashboard link URL-encodes the event ARN', () => {
    const data = single(load('aha-account-notification-vpn'));
    expect(data.links).toEqual([
      {
        label: 'AWS Health Dashboard',
        url: 'https://health.aws.amazon.com/health/home#/account/event-log?eventID=arn%3Aaws%3Ahealth%3Aus-east-1%3A%3Aevent%2FVPN%2FAWS_VPN_REDUNDANCY_LOSS%2FAWS_VPN_REDUNDANCY_LOSS-1656151378267-7672191-IAD',
      },
    ]);
  });
});

describe('AWS Health: shapes', () => {
  const entries = () => load('putevents-ecs-task-patching-detail-string') as unknown as Json[];

  it('accepts the PutEvents request object { Entries: [...] } and a single entry', () => {
    const fromArray = normalize(entries());
    const fromRequest = normalize({ Entries: entries() });
    const fromEntry = normalize(entries()[0]);
    expect(dataOf(fromRequest.events[0]).updateKey).toBe(dataOf(fromArray.events[0]).updateKey);
    expect(dataOf(fromEntry.events[0]).updateKey).toBe(dataOf(fromArray.events[0]).updateKey);
    expect(fromRequest.notices[0]).toMatch(/^Entries\[0\] /);
  });

  it('one event per entry; entries that are not AWS Health events are skipped with a notice', () => {
    const [entry] = entries();
    const second = { ...entry, Detail: String(entry?.Detail).replace('_test1', '_test2') };
    const result = normalize([
      entry,
      { Source: 'com.example', DetailType: 'Order Placed', Detail: '{}' },
      second,
    ]);
    expect(result.events.map((event) => dataOf(event).incidentKey)).toEqual([
      `aws:${ECS_ARN}`,
      `aws:${ECS_ARN.replace('_test1', '_test2')}`,
    ]);
    expect(result.notices).toContain('[1] skipped: not an AWS Health event');
  });

  it('a broken entry is skipped when others succeed, and reported when none does', () => {
    const [entry] = entries();
    const broken = { ...entry, Detail: '{"eventArn": ' };
    const mixed = normalize([broken, entry]);
    expect(mixed.events).toHaveLength(1);
    expect(mixed.notices).toContain('[0] skipped: aws-health: field [0].Detail is not a JSON object');
    const error = thrown(() => awsHealthFormat.normalize([broken], context));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('[0].Detail');
  });

  it('an EventBridge event whose detail is a JSON string is parsed a second time', () => {
    const document = load('public-issue-ec2-operational');
    const data = single({ ...document, detail: JSON.stringify(document.detail) });
    expect(data.updateKey).toBe(single(document).updateKey);
  });

  it('a missing eventArn is an InvalidInputError naming detail.eventArn', () => {
    const error = thrown(() =>
      awsHealthFormat.normalize(variantOf('public-issue-ec2-operational', { eventArn: undefined }), context),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('detail.eventArn');
    const noDetail = thrown(() => awsHealthFormat.normalize({ source: 'aws.health' }, context));
    expect((noDetail as InvalidInputError).field).toBe('detail');
  });

  it('non-AWS inputs given to normalize throw a NormalizeError', () => {
    for (const document of [null, 3, 'text', {}, [], [1, 2], { Entries: [] }]) {
      expect(thrown(() => awsHealthFormat.normalize(document, context))).toBeInstanceOf(NormalizeError);
    }
  });

  it('matches AWS Health shapes only, and never throws', () => {
    expect(awsHealthFormat.matches(load('public-issue-ec2-operational'))).toBe(true);
    expect(awsHealthFormat.matches(load('aha-account-notification-vpn'))).toBe(true);
    expect(awsHealthFormat.matches(entries())).toBe(true);
    expect(awsHealthFormat.matches({ Entries: entries() })).toBe(true);
    expect(
      awsHealthFormat.matches({ source: 'com.custom', 'detail-type': 'AWS Health Event', detail: {} }),
    ).toBe(true);
    for (const document of [
      null,
      undefined,
      42,
      'aws.health',
      [],
      [null, 1],
      {},
      { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} },
      { source: 'aha' },
      { id: 'EX1', classification: 'incident', service: 'Exchange Online', status: 'investigating' },
      { value: [{ type: 'Microsoft.ResourceHealth/events', name: 'AB-CD', properties: {} }] },
      { kind: 'crosswatch.probe-result' },
      { Entries: 'nope' },
    ]) {
      expect(awsHealthFormat.matches(document)).toBe(false);
    }
  });
});

describe('AWS Health: detection', () => {
  it('normalizeText routes the public EC2 sample to aws-health', () => {
    const output = normalizeText(loadRaw('public-issue-ec2-operational'), { now });
    expect(output.format).toBe('aws-health');
    for (const event of output.events) assertValidEvent(event);
    expect(dataOf(output.events[0]).updateKey).toBe(
      `aws:${PUBLIC_EC2_ARN}:01b0993207d81a09dcd552ebd1e633e36cf1f09a:open`,
    );
    expect(output.events[0]?.data.evidence?.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('normalizeText routes the PutEvents file and the AHA sample to aws-health', () => {
    for (const variant of ['putevents-ecs-task-patching-detail-string', 'aha-account-notification-vpn']) {
      const output = normalizeText(loadRaw(variant), { now });
      expect(output.format).toBe('aws-health');
      expect(output.events).toHaveLength(1);
      for (const event of output.events) assertValidEvent(event);
    }
  });
});

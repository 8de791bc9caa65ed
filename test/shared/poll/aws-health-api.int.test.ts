/**
 * pollAwsHealthApi through the real @aws-sdk/client-health against a loopback server that speaks the
 * AWS Health API's awsJson1_1 protocol (POST / with `x-amz-target: AWSHealth_20160804.<Operation>`,
 * JSON bodies, timestamps in epoch seconds, errors as `{"__type": …}` with status 400). Static test
 * credentials: the SDK signs each request, the server does not check the signature. The engine parts
 * are real: the memory store and processEvents.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PollersConfig } from '../../../shared/config/crosswatch-config.ts';
import { DEFAULT_ENGINE_CONFIG } from '../../../shared/engine/engine-config.ts';
import { processEvents } from '../../../shared/engine/process-event.ts';
import type { CrosswatchEvent, ProviderEventData } from '../../../shared/event/schema.ts';
import { awsHealthFormat } from '../../../shared/ingest/aws-health.ts';
import { type AwsHealthApiPollOptions, pollAwsHealthApi } from '../../../shared/poll/aws-health-api.ts';
import { runPollRound } from '../../../shared/poll/run-poll-round.ts';
import { buildPollers } from '../../../shared/runtime/build-pollers.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { toIsoUtc } from '../../../shared/util/time.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';
import { type Loopback, startHttpServer, startSilentServer } from '../../helpers/loopback-servers.ts';

type Json = Record<string, unknown>;
interface Reply {
  readonly status?: number;
  readonly body: unknown;
}
interface Received {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly contentType: string | undefined;
  readonly operation: string;
  readonly body: Json;
}

const NOW = new Date('2026-01-28T12:00:00.000Z');
const WEEK_AGO_SECONDS = (NOW.getTime() - 7 * 24 * 60 * 60_000) / 1000;
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const ALL_STATUSES = ['open', 'upcoming', 'closed'];

let server: Loopback;
let routes: Record<string, (body: Json) => Reply> = {};
const received: Received[] = [];

beforeAll(async () => {
  server = await startHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const [prefix, operation = ''] = String(request.headers['x-amz-target'] ?? '').split('.');
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text ? JSON.parse(text) : {}) as Json;
      received.push({
        method: request.method,
        path: request.url,
        contentType: request.headers['content-type'],
        operation,
        body,
      });
      const route = prefix === 'AWSHealth_20160804' ? routes[operation] : undefined;
      const reply = route?.(body) ?? {
        status: 400,
        body: { __type: 'UnknownOperationException', message: `no route for ${operation}` },
      };
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(reply.body));
    });
  });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  routes = {};
  received.length = 0;
});

function poll(options: Partial<AwsHealthApiPollOptions> = {}) {
  return pollAwsHealthApi({
    endpoint: server.url,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    now: () => NOW,
    ...options,
  });
}

function operations(): string[] {
  return received.map((request) => request.operation);
}

function bodiesOf(operation: string): Json[] {
  return received.filter((request) => request.operation === operation).map((request) => request.body);
}

function dataOf(event: CrosswatchEvent | undefined): ProviderEventData {
  if (event?.type !== 'io.crosswatch.provider.incident') throw new Error('not a provider event');
  return event.data as ProviderEventData;
}

/** An RFC-1123 fixture time in the API's epoch seconds. */
function epochSeconds(text: string): number {
  const iso = toIsoUtc(text);
  if (iso === undefined) throw new Error(`not a time: ${text}`);
  return Date.parse(iso) / 1000;
}

/** DescribeEvents / …ForOrganization answered in pages of `pageSize`, `nextToken` an opaque index. */
function pagedEvents(events: readonly Json[], pageSize: number) {
  return (body: Json): Reply => {
    const start = typeof body.nextToken === 'string' ? Number(body.nextToken.slice('page-'.length)) : 0;
    const end = start + pageSize;
    return {
      body: {
        events: events.slice(start, end),
        ...(end < events.length ? { nextToken: `page-${end}` } : {}),
      },
    };
  };
}

function publicEc2Event(index: number): Json {
  const id = String(index).padStart(4, '0');
  return {
    arn: `arn:aws:health:eu-west-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_${id}`,
    service: 'EC2',
    eventTypeCode: 'AWS_EC2_OPERATIONAL_ISSUE',
    eventTypeCategory: 'issue',
    region: 'eu-west-1',
    startTime: 1769500800 + index * 60,
    lastUpdatedTime: 1769500800 + index * 60 + 30.25,
    statusCode: 'open',
    eventScopeCode: 'PUBLIC',
  };
}

describe('pollAwsHealthApi: account view', () => {
  const events = Array.from({ length: 23 }, (_, index) => publicEc2Event(index));
  const failing = events[7]?.arn;

  beforeEach(() => {
    routes.DescribeEvents = pagedEvents(events, 12);
    routes.DescribeEventDetails = (body) => {
      const arns = body.eventArns as string[];
      return {
        body: {
          successfulSet: events
            .filter((event) => arns.includes(event.arn as string) && event.arn !== failing)
            .map((event) => ({
              event,
              eventDescription: { latestDescription: `[Investigating] ${String(event.arn).slice(-4)}` },
              eventMetadata: {},
            })),
          failedSet: arns.includes(failing as string)
            ? [{ eventArn: failing, errorName: 'InternalError', errorMessage: 'try later' }]
            : [],
        },
      };
    };
  });

  it('follows nextToken, filters on the lookback in every status, and batches details by 10', async () => {
    const result = await poll();
    expect(result.status).toEqual({ reachable: true });
    expect(result.source).toBe('aws-health-api');
    for (const request of received) {
      expect(request).toMatchObject({ method: 'POST', path: '/', contentType: 'application/x-amz-json-1.1' });
    }
    expect(operations()).toEqual([
      'DescribeEvents',
      'DescribeEvents',
      'DescribeEventDetails',
      'DescribeEventDetails',
      'DescribeEventDetails',
    ]);
    const filter = { lastUpdatedTimes: [{ from: WEEK_AGO_SECONDS }], eventStatusCodes: ALL_STATUSES };
    expect(bodiesOf('DescribeEvents')).toEqual([
      { filter, maxResults: 100 },
      { filter, maxResults: 100, nextToken: 'page-12' },
    ]);
    const batches = bodiesOf('DescribeEventDetails').map((body) => body.eventArns as string[]);
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(batches.flat()).toEqual(events.map((event) => event.arn));

    expect(result.events).toHaveLength(23);
    for (const event of result.events) assertValidEvent(event);
    const first = dataOf(result.events[0]);
    expect(first).toMatchObject({
      provider: 'aws',
      origin: 'aws-health',
      incidentKey: `aws:${events[0]?.arn}`,
      // lastUpdatedTime 1769500830.25 → whole seconds, as EventBridge writes it.
      updateKey: `aws:${events[0]?.arn}:2026-01-27T08:00:30.000Z:open`,
      category: 'incident',
      status: 'active',
      severity: 'error',
      title: 'EC2 operational issue',
      summary: '[Investigating] 0000',
      services: ['EC2'],
      regions: ['eu-west-1'],
      startedAt: '2026-01-27T08:00:00.000Z',
      updatedAt: '2026-01-27T08:00:30.000Z',
      stage: 'open',
    });
    expect(first.attributes).toMatchObject({ source: 'crosswatch.aws-health-api', communicationId: null });
    // The event whose details failed is still there, from its summary, with a notice.
    const summaryOnly = result.events.map(dataOf).find((data) => data.incidentKey === `aws:${failing}`);
    expect(summaryOnly?.summary).toBe('EC2 operational issue');
    expect(result.notices).toEqual([`${failing}: no details (InternalError); mapped from its summary`]);
  });

  it('stops after maxPages with a notice', async () => {
    const result = await poll({ maxPages: 1 });
    expect(result.events).toHaveLength(12);
    expect(bodiesOf('DescribeEvents')).toHaveLength(1);
    expect(result.notices).toContain('stopped after 1 pages; the rest is read on the next poll');
  });

  it('answers an empty window with no events and one DescribeEvents call', async () => {
    routes.DescribeEvents = () => ({ body: { events: [] } });
    const result = await poll();
    expect(result).toEqual({
      source: 'aws-health-api',
      status: { reachable: true },
      events: [],
      notices: [],
    });
    expect(operations()).toEqual(['DescribeEvents']);
  });
});

describe('pollAwsHealthApi: organizational view', () => {
  const accountArn =
    'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_ORG1';
  const lonelyArn = 'arn:aws:health:eu-west-1::event/RDS/AWS_RDS_MAINTENANCE_SCHEDULED/AWS_RDS_ORG2';
  const orphanArn = 'arn:aws:health:eu-west-1::event/LAMBDA/AWS_LAMBDA_NOTICE/AWS_LAMBDA_ORG3';
  const publicEvent = publicEc2Event(1);
  const orgEvents: Json[] = [
    publicEvent,
    {
      arn: accountArn,
      service: 'EC2',
      eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
      eventTypeCategory: 'scheduledChange',
      region: 'us-east-1',
      startTime: 1787836743,
      lastUpdatedTime: 1769521453,
      statusCode: 'upcoming',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      actionability: 'ACTION_REQUIRED',
      personas: ['OPERATIONS'],
    },
    {
      arn: lonelyArn,
      service: 'RDS',
      eventTypeCode: 'AWS_RDS_MAINTENANCE_SCHEDULED',
      eventTypeCategory: 'scheduledChange',
      region: 'eu-west-1',
      startTime: 1769600000,
      lastUpdatedTime: 1769521000,
      statusCode: 'upcoming',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
    },
    {
      arn: orphanArn,
      service: 'LAMBDA',
      eventTypeCode: 'AWS_LAMBDA_NOTICE',
      eventTypeCategory: 'accountNotification',
      region: 'eu-west-1',
      startTime: 1769500000,
      lastUpdatedTime: 1769500100,
      statusCode: 'open',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
    },
  ];

  beforeEach(() => {
    routes.DescribeEventsForOrganization = pagedEvents(orgEvents, 2);
    routes.DescribeAffectedAccountsForOrganization = (body) => {
      if (body.eventArn === accountArn) {
        return body.nextToken === 'accounts-2'
          ? { body: { affectedAccounts: ['333333333333'], eventScopeCode: 'ACCOUNT_SPECIFIC' } }
          : {
              body: {
                affectedAccounts: ['111111111111', '222222222222'],
                eventScopeCode: 'ACCOUNT_SPECIFIC',
                nextToken: 'accounts-2',
              },
            };
      }
      if (body.eventArn === lonelyArn) {
        return { body: { affectedAccounts: ['444444444444'], eventScopeCode: 'ACCOUNT_SPECIFIC' } };
      }
      return { body: { affectedAccounts: [], eventScopeCode: 'ACCOUNT_SPECIFIC' } };
    };
    routes.DescribeEventDetailsForOrganization = (body) => {
      const filters = body.organizationEventDetailFilters as { eventArn: string; awsAccountId?: string }[];
      return {
        body: {
          successfulSet: filters.map((filter) => ({
            ...(filter.awsAccountId ? { awsAccountId: filter.awsAccountId } : {}),
            event: orgEvents.find((event) => event.arn === filter.eventArn),
            eventDescription: { latestDescription: `Details of ${filter.eventArn.split('/').pop()}` },
            eventMetadata: filter.eventArn === accountArn ? { deadline: '2026-08-27' } : {},
          })),
          failedSet: [],
        },
      };
    };
  });

  it('uses the …ForOrganization operations and puts every affected account in scope', async () => {
    const result = await poll({ organizational: true });
    expect(result.status).toEqual({ reachable: true });
    expect(operations().filter((operation) => !operation.endsWith('ForOrganization'))).toEqual([]);
    expect(bodiesOf('DescribeEventsForOrganization')).toEqual([
      {
        filter: { lastUpdatedTime: { from: WEEK_AGO_SECONDS }, eventStatusCodes: ALL_STATUSES },
        maxResults: 100,
      },
      {
        filter: { lastUpdatedTime: { from: WEEK_AGO_SECONDS }, eventStatusCodes: ALL_STATUSES },
        maxResults: 100,
        nextToken: 'page-2',
      },
    ]);
    // Affected accounts only for account-specific events (a public event's list is always empty),
    // following nextToken.
    const lookups = bodiesOf('DescribeAffectedAccountsForOrganization');
    expect(lookups).toHaveLength(4);
    expect(lookups).toEqual(
      expect.arrayContaining([
        { eventArn: accountArn, maxResults: 100 },
        { eventArn: accountArn, maxResults: 100, nextToken: 'accounts-2' },
        { eventArn: lonelyArn, maxResults: 100 },
        { eventArn: orphanArn, maxResults: 100 },
      ]),
    );
    // Details: a public event without an account, an account-specific one for its first account; an
    // event with no affected account left is mapped from its summary.
    expect(bodiesOf('DescribeEventDetailsForOrganization')).toEqual([
      {
        organizationEventDetailFilters: [
          { eventArn: publicEvent.arn },
          { eventArn: accountArn, awsAccountId: '111111111111' },
          { eventArn: lonelyArn, awsAccountId: '444444444444' },
        ],
      },
    ]);
    expect(result.notices).toEqual([
      `${orphanArn}: no affected account in the organization; mapped from its summary`,
    ]);

    expect(result.events).toHaveLength(4);
    for (const event of result.events) assertValidEvent(event);
    const byKey = new Map(result.events.map((event) => [dataOf(event).incidentKey, dataOf(event)]));
    expect(byKey.get(`aws:${accountArn}`)).toMatchObject({
      updateKey: `aws:${accountArn}:2026-01-27T13:44:13.000Z:upcoming`,
      category: 'maintenance',
      status: 'scheduled',
      summary: 'Details of AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_ORG1',
      regions: ['us-east-1'],
      scope: { accountIds: ['111111111111', '222222222222', '333333333333'] },
      attributes: expect.objectContaining({
        'metadata.deadline': '2026-08-27',
        actionability: 'ACTION_REQUIRED',
      }),
    });
    expect(byKey.get(`aws:${lonelyArn}`)?.scope.accountIds).toEqual(['444444444444']);
    expect(byKey.get(`aws:${publicEvent.arn}`)?.scope.accountIds).toEqual([]);
    expect(byKey.get(`aws:${orphanArn}`)?.summary).toBe('LAMBDA notice');
  });
});

describe('pollAwsHealthApi: one incident from open to closed', () => {
  const arn =
    'arn:aws:health:eu-west-1::event/S3/AWS_S3_OPERATIONAL_ISSUE/AWS_S3_OPERATIONAL_ISSUE_LIFECYCLE';
  let current: Json;
  let description: string;

  beforeEach(() => {
    routes.DescribeEvents = () => ({ body: { events: [current] } });
    routes.DescribeEventDetails = () => ({
      body: { successfulSet: [{ event: current, eventDescription: { latestDescription: description } }] },
    });
  });

  it('opens, resolves the same incident, then finds only duplicates', async () => {
    const store = createMemoryStore();
    const pollers = buildPollers(
      {
        pollers: {
          schedule: { kind: 'interval', everyMs: 300_000, text: '5m' },
          azureResourceHealth: null,
          m365: null,
          azureStatusFeed: null,
          awsHealth: { enabled: true, organizational: false, region: 'us-east-1' },
        } satisfies PollersConfig,
        endpoints: { awsHealth: server.url, awsCredentials: CREDENTIALS },
      },
      () => NOW,
    );
    expect(pollers.map((poller) => poller.source)).toEqual(['aws-health-api']);
    const deps = {
      store,
      config: DEFAULT_ENGINE_CONFIG,
      now: () => NOW,
      processEvents: (events: readonly CrosswatchEvent[]) => processEvents(events, { store, now: NOW }),
    };
    const keys = (summary: Awaited<ReturnType<typeof runPollRound>>) =>
      summary.decisions.map((decision) => [decision.kind, decision.incidentKey]);

    current = {
      arn,
      service: 'S3',
      eventTypeCode: 'AWS_S3_OPERATIONAL_ISSUE',
      eventTypeCategory: 'issue',
      region: 'eu-west-1',
      startTime: 1769580000,
      lastUpdatedTime: 1769580600.5,
      statusCode: 'open',
      eventScopeCode: 'PUBLIC',
    };
    description = '[Investigating] Increased error rates for S3 in eu-west-1.';
    const opened = await runPollRound(pollers, deps);
    expect(keys(opened)).toEqual([['open', `aws:${arn}`]]);
    // buildPollers passes its 7-day lookback as the filter.
    expect(bodiesOf('DescribeEvents')[0]?.filter).toEqual({
      lastUpdatedTimes: [{ from: WEEK_AGO_SECONDS }],
      eventStatusCodes: ALL_STATUSES,
    });

    current = { ...current, statusCode: 'closed', endTime: 1769587200, lastUpdatedTime: 1769587500 };
    description = '[RESOLVED] Between 06:00 and 08:00 UTC we saw increased error rates. Resolved.';
    const closed = await runPollRound(pollers, deps);
    expect(keys(closed)).toEqual([['resolve', `aws:${arn}`]]);
    expect(dataOf(closed.results[0]?.events[0])).toMatchObject({
      updateKey: `aws:${arn}:2026-01-28T08:05:00.000Z:closed`,
      status: 'resolved',
      resolvedAt: '2026-01-28T08:00:00.000Z',
    });

    const again = await runPollRound(pollers, deps);
    expect(keys(again)).toEqual([['duplicate', `aws:${arn}`]]);
  });
});

describe('pollAwsHealthApi: the same update through EventBridge', () => {
  // The verbatim EventBridge sample of an EC2 instance retirement, and the same event as the API
  // returns it: epoch-second times, the description and metadata from DescribeEventDetails.
  const fixture = JSON.parse(
    readFileSync(
      new URL('../../fixtures/aws-health/account-scheduled-ec2-retirement.json', import.meta.url),
      'utf8',
    ),
  ) as Json & { detail: Json };
  const detail = fixture.detail;
  const apiEvent = {
    arn: detail.eventArn,
    service: detail.service,
    eventTypeCode: detail.eventTypeCode,
    eventTypeCategory: detail.eventTypeCategory,
    region: detail.eventRegion,
    startTime: epochSeconds(detail.startTime as string),
    lastUpdatedTime: epochSeconds(detail.lastUpdatedTime as string),
    statusCode: detail.statusCode,
    eventScopeCode: detail.eventScopeCode,
    actionability: detail.actionability,
    personas: detail.personas,
  };
  const apiDetails = {
    event: apiEvent,
    eventDescription: {
      latestDescription: (detail.eventDescription as { latestDescription: string }[])[0]?.latestDescription,
    },
    eventMetadata: detail.eventMetadata,
  };
  const withoutCommunicationId = { ...fixture, detail: { ...detail, communicationId: undefined } };
  const normalizeEventBridge = (document: unknown) =>
    awsHealthFormat.normalize(JSON.parse(JSON.stringify(document)), {
      receivedAt: NOW.toISOString(),
      evidence: null,
    }).events;

  beforeEach(() => {
    routes.DescribeEvents = () => ({ body: { events: [apiEvent] } });
    routes.DescribeEventDetails = () => ({ body: { successfulSet: [apiDetails] } });
  });

  it('maps the event as EventBridge does; without a communicationId the keys are the same', async () => {
    const [polled] = (await poll()).events;
    const [bridged] = normalizeEventBridge(withoutCommunicationId);
    const fromApi = dataOf(polled);
    const fromBridge = dataOf(bridged);
    for (const field of [
      'incidentKey',
      'updateKey',
      'category',
      'status',
      'severity',
      'title',
      'summary',
      'services',
      'regions',
      'startedAt',
      'updatedAt',
      'resolvedAt',
      'stage',
      'links',
    ] as const) {
      expect(fromApi[field], field).toEqual(fromBridge[field]);
    }
    expect(fromApi.updateKey).toBe(`aws:${detail.eventArn}:2026-01-27T13:44:13.000Z:open`);
    expect(fromApi.attributes).toMatchObject({
      'metadata.keystring1': 'valuestring1',
      truncated: true,
      actionability: 'ACTION_REQUIRED',
      personas: 'OPERATIONS',
    });
  });

  it('dedupes in the engine in either order: the second copy is a duplicate', async () => {
    const [polled] = (await poll()).events;
    const [bridged] = normalizeEventBridge(withoutCommunicationId);
    if (!polled || !bridged) throw new Error('no events');
    for (const order of [
      [bridged, polled],
      [polled, bridged],
    ]) {
      const store = createMemoryStore();
      const decisions = await processEvents(order, { store, now: NOW });
      expect(decisions.map((decision) => decision.kind)).toEqual(['open', 'duplicate']);
      expect(new Set(decisions.map((decision) => decision.incidentKey))).toEqual(
        new Set([`aws:${detail.eventArn}`]),
      );
    }
  });

  it('with a communicationId (every current EventBridge event) the incident is the same but the update is not', async () => {
    const [polled] = (await poll()).events;
    const [bridged] = normalizeEventBridge(fixture);
    if (!polled || !bridged) throw new Error('no events');
    expect(dataOf(bridged).updateKey).toBe(`aws:${detail.eventArn}:1234abc01232a4012345678:open`);
    expect(dataOf(polled).incidentKey).toBe(dataOf(bridged).incidentKey);
    expect(dataOf(polled).updateKey).not.toBe(dataOf(bridged).updateKey);
    const store = createMemoryStore();
    const decisions = await processEvents([bridged, polled], { store, now: NOW });
    expect(decisions.map((decision) => [decision.kind, decision.incidentKey])).toEqual([
      ['open', `aws:${detail.eventArn}`],
      ['update', `aws:${detail.eventArn}`],
    ]);
  });
});

describe('pollAwsHealthApi: unreachable', () => {
  it('SubscriptionRequiredException: one line that names the support plan', async () => {
    routes.DescribeEvents = () => ({
      status: 400,
      body: {
        __type: 'SubscriptionRequiredException',
        message: 'The AWS account 123456789012 is not subscribed to AWS Premium Support.',
      },
    });
    const result = await poll();
    expect(result).toEqual({
      source: 'aws-health-api',
      status: {
        reachable: false,
        reason:
          'SubscriptionRequiredException: the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise Support plan on this account',
      },
      events: [],
      notices: [],
    });
    expect(operations()).toEqual(['DescribeEvents']);
  });

  it('the organizational view not enabled', async () => {
    routes.DescribeEventsForOrganization = () => ({
      status: 400,
      body: { __type: 'ConcurrentModificationException', message: 'secret-ish detail 123456789012' },
    });
    const result = await poll({ organizational: true });
    expect(result.status).toEqual({
      reachable: false,
      reason:
        'ConcurrentModificationException: the organizational view of AWS Health is not enabled, or is being turned on or off (enable it from the management account)',
    });
    routes.DescribeEventsForOrganization = () => ({
      status: 400,
      body: {
        __type: 'AccessDeniedException',
        message: 'Call EnableHealthServiceAccessForOrganization before using the organizational view.',
      },
    });
    const denied = await poll({ organizational: true });
    expect(denied.status).toMatchObject({
      reason: expect.stringMatching(
        /^AccessDeniedException: the organizational view of AWS Health is not enabled/,
      ),
    });
  });

  it('a failed details call fails the poll; the reason never carries the provider message', async () => {
    routes.DescribeEvents = () => ({ body: { events: [publicEc2Event(1)] } });
    routes.DescribeEventDetails = () => ({
      status: 400,
      body: { __type: 'AccessDeniedException', message: 'User arn:aws:sts::123456789012:assumed-role/x' },
    });
    const result = await poll();
    expect(result.status).toEqual({
      reachable: false,
      reason:
        'AccessDeniedException: the role may not call health:DescribeEvents and health:DescribeEventDetails',
    });
    expect(JSON.stringify(result)).not.toContain('123456789012');
  });

  it('gives up at the timeout on an endpoint that never answers', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const result = await poll({ endpoint: silent.url, timeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result.status).toEqual({ reachable: false, reason: 'TimeoutError' });
    } finally {
      await silent.close();
    }
  });
});

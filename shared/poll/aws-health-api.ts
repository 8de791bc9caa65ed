/**
 * Polls the AWS Health API (`@aws-sdk/client-health`, awsJson1_1, global endpoint in us-east-1) for
 * accounts that cannot add an EventBridge rule for `aws.health`. The account view calls
 * `DescribeEvents` and `DescribeEventDetails`; the organizational view (management account or
 * delegated administrator, organizational view enabled) calls `DescribeEventsForOrganization`,
 * `DescribeAffectedAccountsForOrganization` (account-specific events only: for a public event the list
 * is always empty) and `DescribeEventDetailsForOrganization`. Events updated within the lookback
 * window are read in every status (open, upcoming, closed), so a resolution is seen; `nextToken` is
 * followed page by page (at most `maxPages`), details are fetched 10 ARNs per call (the API's limit).
 * The SDK is imported on the first poll only; credentials come from the SDK's default chain (the
 * Lambda function's role) unless given.
 *
 * Same keys as EventBridge: each API event with its details is rewritten into the EventBridge `detail`
 * shape (times as RFC-1123 strings, as EventBridge sends them; `eventDescription` as
 * `[{language, latestDescription}]`; the affected accounts as `affectedAccount` plus
 * `affectedEntities[].awsAccountId`) and normalized by the EventBridge normalizer
 * (shared/ingest/aws-health.ts), so the incidentKey is `aws:<eventArn>` on both paths and one
 * incident collects both. The updateKey is `aws:<eventArn>:<identity>:<statusCode>`, where the
 * EventBridge path takes as identity the `communicationId` (minus its page suffix) and, when an event
 * has none, its `lastUpdatedTime`. The API never returns a `communicationId`, so:
 * - an EventBridge event without `communicationId` and the polled event of the same update have the
 *   same updateKey (both take `lastUpdatedTime`, to the second): the second copy is a `duplicate`;
 * - an EventBridge event with a `communicationId` (every current one) and the polled event of the
 *   same update cannot have the same updateKey: the incident is the same, but the second copy is an
 *   `update` decision (not a second `open`; a closed event's second copy is an `update` to the
 *   resolved incident). Run the poller where the EventBridge rule cannot be added, not beside it;
 * - the API's `lastUpdatedTime` may carry milliseconds, EventBridge's has whole seconds: the poller
 *   drops them, which gives EventBridge's time if AWS truncates too (assumed, not documented).
 * Not mapped: affected resources (`DescribeAffectedEntities`, not called), the account id in the
 * account view (the API does not name the calling account), the delivery Region and `communicationId`.
 */
import type {
  DescribeEventDetailsCommandOutput,
  DescribeEventDetailsForOrganizationCommandOutput,
  Event as HealthApiEvent,
  HealthClient,
} from '@aws-sdk/client-health';
import { awsHealthFormat } from '../ingest/aws-health.ts';
import { computeEvidence } from '../ingest/normalize.ts';
import { describeSourceFailure, HEALTH_SOURCES, type PollResult } from './poll-result.ts';

/** The AWS Health API Region of the `aws` partition (its endpoint is global). */
export const AWS_HEALTH_API_REGION = 'us-east-1';
/** `DescribeEventDetails(ForOrganization)` takes at most 10 events per call. */
export const DETAILS_BATCH_SIZE = 10;
const PAGE_SIZE = 100;
const ACCOUNT_LOOKUP_CONCURRENCY = 4;

export interface AwsHealthApiPollOptions {
  /** The organizational view (`…ForOrganization` operations); default false (this account). */
  readonly organizational?: boolean;
  /** Default us-east-1 (aws-cn: cn-northwest-1). */
  readonly region?: string;
  /** Endpoint override (tests). */
  readonly endpoint?: string;
  /** Static credentials (tests); default: the SDK's default chain. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Only events updated since this instant (`lastUpdatedTime` filter); default 7 days before now. */
  readonly updatedSince?: Date;
  /** Stops after this many pages of 100 events (default 10) with a notice. */
  readonly maxPages?: number;
  /** Attempts per request inside the SDK (default 3). */
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

type HealthModule = typeof import('@aws-sdk/client-health');
let sdk: Promise<HealthModule> | undefined;

/** What the API says about one event: the summary, then (when the details call answered) the rest. */
interface PolledEvent {
  readonly event: HealthApiEvent;
  description?: string;
  metadata?: Record<string, string>;
  /** Organizational view: the affected accounts (none for a public event). */
  accounts: string[];
}

interface PollContext {
  readonly client: HealthClient;
  readonly sdk: HealthModule;
  readonly signal: AbortSignal;
  readonly maxPages: number;
  readonly notices: string[];
}

const ORG_VIEW_NOT_ENABLED =
  /EnableHealthServiceAccessForOrganization|organi[sz]ational view|not enabled.*organi[sz]ation|organi[sz]ation.*not enabled/i;

function errorField(error: unknown, key: 'name' | 'message'): string {
  if (typeof error !== 'object' || error === null) return '';
  const value = (error as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
}

/**
 * One line an operator can act on for the failures that need a change on the AWS side; anything else
 * as every poller reports it (status, error code or class). Provider messages are matched, never
 * copied.
 */
export function describeAwsHealthFailure(error: unknown, organizational: boolean): string {
  const name = errorField(error, 'name');
  if (name === 'SubscriptionRequiredException') {
    return 'SubscriptionRequiredException: the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise Support plan on this account';
  }
  if (
    organizational &&
    (name === 'ConcurrentModificationException' || ORG_VIEW_NOT_ENABLED.test(errorField(error, 'message')))
  ) {
    return `${describeSourceFailure(error)}: the organizational view of AWS Health is not enabled, or is being turned on or off (enable it from the management account)`;
  }
  if (name === 'AccessDeniedException') {
    return organizational
      ? 'AccessDeniedException: the role may not call the health:…ForOrganization operations, or this is neither the management account nor a delegated administrator for AWS Health'
      : 'AccessDeniedException: the role may not call health:DescribeEvents and health:DescribeEventDetails';
  }
  return describeSourceFailure(error);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Follows `nextToken` until the last page or `maxPages`; keeps the first copy of each ARN. */
async function readPages(
  context: PollContext,
  readPage: (nextToken: string | undefined) => Promise<{ events?: HealthApiEvent[]; nextToken?: string }>,
): Promise<PolledEvent[]> {
  const byArn = new Map<string, PolledEvent>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (pages >= context.maxPages) {
      context.notices.push(`stopped after ${context.maxPages} pages; the rest is read on the next poll`);
      break;
    }
    const page = await readPage(nextToken);
    pages += 1;
    for (const event of page.events ?? []) {
      if (event.arn && !byArn.has(event.arn)) byArn.set(event.arn, { event, accounts: [] });
    }
    nextToken = page.nextToken || undefined;
  } while (nextToken !== undefined);
  return [...byArn.values()];
}

function applyDetails(
  byArn: ReadonlyMap<string, PolledEvent>,
  response: DescribeEventDetailsCommandOutput | DescribeEventDetailsForOrganizationCommandOutput,
  notices: string[],
): void {
  for (const details of response.successfulSet ?? []) {
    const polled = details.event?.arn === undefined ? undefined : byArn.get(details.event.arn);
    if (!polled) continue;
    const description = details.eventDescription?.latestDescription;
    if (description !== undefined) polled.description = description;
    if (details.eventMetadata !== undefined) polled.metadata = details.eventMetadata;
  }
  for (const failed of response.failedSet ?? []) {
    notices.push(
      `${failed.eventArn ?? 'an event'}: no details (${failed.errorName ?? 'unknown error'}); mapped from its summary`,
    );
  }
}

async function pollAccountView(context: PollContext, updatedSince: Date): Promise<PolledEvent[]> {
  const { client, sdk, signal } = context;
  const events = await readPages(context, (nextToken) =>
    client.send(
      new sdk.DescribeEventsCommand({
        filter: {
          lastUpdatedTimes: [{ from: updatedSince }],
          eventStatusCodes: ['open', 'upcoming', 'closed'],
        },
        maxResults: PAGE_SIZE,
        ...(nextToken ? { nextToken } : {}),
      }),
      { abortSignal: signal },
    ),
  );
  const byArn = new Map(events.map((polled) => [polled.event.arn ?? '', polled]));
  for (const batch of chunk([...byArn.keys()], DETAILS_BATCH_SIZE)) {
    const response = await client.send(new sdk.DescribeEventDetailsCommand({ eventArns: batch }), {
      abortSignal: signal,
    });
    applyDetails(byArn, response, context.notices);
  }
  return events;
}

async function readAffectedAccounts(context: PollContext, eventArn: string): Promise<string[]> {
  const { client, sdk, signal } = context;
  const accounts: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new sdk.DescribeAffectedAccountsForOrganizationCommand({
        eventArn,
        maxResults: PAGE_SIZE,
        ...(nextToken ? { nextToken } : {}),
      }),
      { abortSignal: signal },
    );
    accounts.push(...(page.affectedAccounts ?? []));
    nextToken = page.nextToken || undefined;
  } while (nextToken !== undefined);
  return [...new Set(accounts)];
}

async function pollOrganizationView(context: PollContext, updatedSince: Date): Promise<PolledEvent[]> {
  const { client, sdk, signal } = context;
  const events = await readPages(context, (nextToken) =>
    client.send(
      new sdk.DescribeEventsForOrganizationCommand({
        filter: {
          lastUpdatedTime: { from: updatedSince },
          eventStatusCodes: ['open', 'upcoming', 'closed'],
        },
        maxResults: PAGE_SIZE,
        ...(nextToken ? { nextToken } : {}),
      }),
      { abortSignal: signal },
    ),
  );
  const isPublic = (polled: PolledEvent) => polled.event.eventScopeCode === 'PUBLIC';
  await forEachLimited(
    events.filter((polled) => !isPublic(polled)),
    ACCOUNT_LOOKUP_CONCURRENCY,
    async (polled) => {
      polled.accounts = await readAffectedAccounts(context, polled.event.arn ?? '');
    },
  );
  // A public event's details are asked for without an account, an account-specific one's for its
  // first affected account (the API refuses either the other way round).
  const filters = events.flatMap((polled) => {
    const eventArn = polled.event.arn ?? '';
    if (isPublic(polled)) return [{ eventArn }];
    const [first] = polled.accounts;
    if (first !== undefined) return [{ eventArn, awsAccountId: first }];
    context.notices.push(`${eventArn}: no affected account in the organization; mapped from its summary`);
    return [];
  });
  const byArn = new Map(events.map((polled) => [polled.event.arn ?? '', polled]));
  for (const batch of chunk(filters, DETAILS_BATCH_SIZE)) {
    const response = await client.send(
      new sdk.DescribeEventDetailsForOrganizationCommand({ organizationEventDetailFilters: batch }),
      { abortSignal: signal },
    );
    applyDetails(byArn, response, context.notices);
  }
  return events;
}

/** An API time as EventBridge writes it (RFC-1123, whole seconds), or undefined. */
function toRfc1123(value: Date | undefined): string | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toUTCString() : undefined;
}

/**
 * One polled event as the EventBridge event AWS Health would deliver for it. `source` names the
 * poller (the normalizer recognizes the envelope by its detail-type and keeps `source` as an
 * attribute), so an event's attributes tell which path brought it.
 */
function toEventBridgeShape(polled: PolledEvent): Record<string, unknown> {
  const { event } = polled;
  const detail: Record<string, unknown> = {
    eventArn: event.arn,
    service: event.service,
    eventTypeCode: event.eventTypeCode,
    eventTypeCategory: event.eventTypeCategory,
    eventScopeCode: event.eventScopeCode,
    statusCode: event.statusCode,
    startTime: toRfc1123(event.startTime),
    endTime: toRfc1123(event.endTime),
    lastUpdatedTime: toRfc1123(event.lastUpdatedTime),
    eventRegion: event.region,
    eventDescription:
      polled.description === undefined
        ? undefined
        : [{ language: 'en_US', latestDescription: polled.description }],
    eventMetadata: polled.metadata,
    affectedAccount: polled.accounts[0],
    affectedEntities:
      polled.accounts.length > 1 ? polled.accounts.map((awsAccountId) => ({ awsAccountId })) : undefined,
    actionability: event.actionability,
    personas: event.personas,
  };
  for (const [key, value] of Object.entries(detail)) if (value === undefined) delete detail[key];
  return { 'detail-type': 'AWS Health Event', source: 'crosswatch.aws-health-api', resources: [], detail };
}

export async function pollAwsHealthApi(options: AwsHealthApiPollOptions = {}): Promise<PollResult> {
  const source = HEALTH_SOURCES.awsHealthApi;
  const now = options.now ?? (() => new Date());
  const organizational = options.organizational ?? false;
  const notices: string[] = [];
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  let client: HealthClient | undefined;
  try {
    sdk ??= import('@aws-sdk/client-health');
    const healthSdk = await sdk;
    client = new healthSdk.HealthClient({
      region: options.region ?? AWS_HEALTH_API_REGION,
      maxAttempts: options.maxAttempts ?? 3,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
    const signal = AbortSignal.any([timeout, ...(options.signal ? [options.signal] : [])]);
    const context: PollContext = {
      client,
      sdk: healthSdk,
      signal,
      maxPages: options.maxPages ?? 10,
      notices,
    };
    const updatedSince = options.updatedSince ?? new Date(now().getTime() - 7 * 24 * 60 * 60_000);
    const polled = organizational
      ? await pollOrganizationView(context, updatedSince)
      : await pollAccountView(context, updatedSince);
    if (polled.length === 0) return { source, status: { reachable: true }, events: [], notices };
    const document = polled.map(toEventBridgeShape);
    const result = awsHealthFormat.normalize(document, {
      receivedAt: now().toISOString(),
      evidence: computeEvidence(Buffer.from(JSON.stringify(document), 'utf8')),
    });
    return {
      source,
      status: { reachable: true },
      events: result.events,
      notices: [...notices, ...result.notices],
    };
  } catch (error) {
    return {
      source,
      status: {
        reachable: false,
        // The SDK reports its own AbortError for either signal: name the timeout when it was that.
        reason: timeout.aborted ? 'TimeoutError' : describeAwsHealthFailure(error, organizational),
      },
      events: [],
      notices,
    };
  } finally {
    client?.destroy();
  }
}

/**
 * AWS Health events, as EventBridge delivers them (`source: aws.health`, detail-types "AWS Health Event"
 * and "AWS Health Abuse Event"), as `aws events put-events` entry files (`DetailType`, `Detail` as a JSON
 * string; one event per entry) and as AWS Health Aware re-publishes them (`source: aha`).
 *
 * Quirks handled (see the fixtures under test/fixtures/aws-health):
 * - `detail` times are RFC-1123 strings with one-digit days and wrong weekdays; AHA uses Python
 *   str(datetime); the top-level `time` is ISO;
 * - numbers and booleans arrive as strings (`page: "1"`, `backupEvent: "false"`, `truncated: "true"`);
 * - `statusCode: open` may come with an `endTime` and "[RESOLVED]" text: the state is derived from
 *   statusCode + endTime, and from endTime alone for old-style events without a statusCode;
 * - old-style and test events lack eventScopeCode, statusCode, communicationId, eventRegion,
 *   affectedAccount, lastUpdatedTime or affectedEntities; placeholders such as
 *   `eventTypeCategory: "category"` are accepted with a notice;
 * - the top-level `region` is the delivery Region, never the impacted one (eventRegion, AHA `region`,
 *   else the event ARN's Region); `account` is the receiving account, `affectedAccount` the affected one;
 * - duplicates by design (backup-Region copies, pages of one communication, at-least-once delivery)
 *   share one updateKey: the communicationId without its `-<page>` suffix;
 * - descriptions may carry literal backslash-n sequences; AHA's `eventDescription` is an object,
 *   its ARN is `detail.arn` and its `account` is wrapped in backticks.
 */
import { createEmptyScope, createProviderEvent } from '../event/create-event.ts';
import type { CrosswatchEvent, ProviderEventData, Scope } from '../event/schema.ts';
import { EVENT_TYPES, type Severity, type Status } from '../event/vocabulary.ts';
import {
  asArray,
  encodeUriComponentSafe,
  isRecord,
  type JsonRecord,
  parseMaybeJson,
  readBoolean,
  readField,
  readInteger,
  readString,
  readText,
  toToken,
  uniqueStrings,
} from '../util/read.ts';
import { toPlainText, toPlainTitle } from '../util/text.ts';
import { toIsoUtc } from '../util/time.ts';
import { InvalidInputError, NormalizeError } from './errors.ts';
import type { FormatResult, InputFormat, NormalizeContext } from './input-format.ts';

const FORMAT = 'aws-health';
/** How many list items `matches` inspects: enough to skip a few malformed ones, cheap on huge lists. */
const MATCH_SCAN_LIMIT = 32;
const MAX_METADATA_ATTRIBUTES = 20;
const DASHBOARD_URL = 'https://health.aws.amazon.com/health/home#/account/event-log?eventID=';

type Attributes = ProviderEventData['attributes'];
type Category = ProviderEventData['category'];

/** Maps, not object literals: a token such as "constructor" must not find an Object.prototype member. */
const CATEGORY_BY_TYPE: ReadonlyMap<string, Category> = new Map([
  ['issue', 'incident'],
  ['investigation', 'incident'],
  ['scheduledchange', 'maintenance'],
  ['accountnotification', 'advisory'],
]);

/** Non-standard categories seen in third-party mocks, mapped with a notice. */
const CATEGORY_ALIASES: ReadonlyMap<string, Category> = new Map([
  ['plannedchange', 'maintenance'],
  ['scheduled', 'maintenance'],
  ['maintenance', 'maintenance'],
  ['notification', 'advisory'],
]);

/** Words kept upper-case in titles derived from event type codes. */
const ACRONYMS = new Set(
  'ACM ALB AMI API AZ CLI CPU DNS EBS EC2 ECS EKS ELB GPU HTTP HTTPS IAM IP KMS MFA NAT NLB RDS S3 SDK SES SMS SNS SQS SSL TLS TTL URL VPC VPN'.split(
    ' ',
  ),
);

// ---- defensive field access ----------------------------------------------------------------------

function readDetailType(record: JsonRecord): string | undefined {
  return readText(record['detail-type']) ?? readText(readField(record, 'DetailType'));
}

function readSource(record: JsonRecord): string | undefined {
  return readText(readField(record, 'source'));
}

/** An EventBridge event or a PutEvents entry carrying an AWS Health event (or its AHA re-publication). */
function isHealthEnvelope(value: unknown): value is JsonRecord {
  if (!isRecord(value)) return false;
  const source = readSource(value)?.toLowerCase();
  if (source === 'aws.health') return true;
  const detailType = readDetailType(value)?.toLowerCase();
  if (detailType !== undefined && (detailType.includes('aws health') || detailType === 'aha event'))
    return true;
  return source === 'aha' && isRecord(parseMaybeJson(readField(value, 'detail')));
}

interface ListShape {
  readonly items: unknown[];
  readonly prefix: string;
}

/** A bare array of entries/events, or the PutEvents request `{ "Entries": [...] }`. */
function readListShape(document: unknown): ListShape | undefined {
  if (Array.isArray(document)) return { items: document, prefix: '' };
  if (isRecord(document) && !isHealthEnvelope(document)) {
    const entries = readField(document, 'Entries');
    if (Array.isArray(entries)) return { items: entries, prefix: 'Entries' };
  }
  return undefined;
}

// ---- mapping helpers --------------------------------------------------------------------------------

/** An AWS account id: digits only (AHA wraps it in backticks; a JSON number loses leading zeros). */
function readAccountId(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? String(value).padStart(12, '0') : undefined;
  }
  const text = readString(value)?.replace(/[`'"\s]/g, '');
  return text !== undefined && /^\d{1,20}$/.test(text) ? text : undefined;
}

/** `arn:aws:health:<region>::event/...` → the Region segment. */
function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts[2] === 'health' ? readText(parts[3], 60) : undefined;
}

/** The communication a page or backup copy belongs to: the communicationId minus its `-<page>` suffix. */
function toCommunicationBase(communicationId: string): string {
  return communicationId.replace(/-\d{1,6}$/, '') || communicationId;
}

function toTitleWords(code: string): string {
  return code
    .split('_')
    .filter((word) => word.length > 0)
    .map((word) => (ACRONYMS.has(word) ? word : word.toLowerCase()))
    .join(' ');
}

/** `AWS_EC2_OPERATIONAL_ISSUE` (service EC2) → `EC2 operational issue`. */
function deriveTitle(eventTypeCode: string | undefined, service: string | undefined): string {
  const serviceName = service?.toUpperCase().replace(/^AWS_/, '').replace(/\s+/g, '_');
  const code = eventTypeCode?.toUpperCase().replace(/^AWS_/, '').replace(/\s+/g, '_');
  if (code === undefined || code.length === 0) return `${service ?? 'AWS'} health event`;
  if (serviceName && code.startsWith(`${serviceName}_`)) {
    const rest = toTitleWords(code.slice(serviceName.length + 1));
    return rest ? `${serviceName} ${rest}` : serviceName;
  }
  if (serviceName) return `${serviceName} ${toTitleWords(code)}`;
  const [first, ...rest] = code.split('_');
  return [first, toTitleWords(rest.join('_'))].filter(Boolean).join(' ');
}

/** The en_US (else first) latestDescription; AHA publishes one object instead of an array. */
function readDescription(value: unknown): string {
  const parsed = parseMaybeJson(value);
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  let first: string | undefined;
  for (const entry of entries) {
    if (!isRecord(entry)) {
      const text = toPlainText(entry);
      if (text && first === undefined) first = text;
      continue;
    }
    const text = toPlainText(readField(entry, 'latestDescription'));
    if (!text) continue;
    const language = toToken(readField(entry, 'language'));
    if (language === 'enus' || language === 'en') return text;
    first ??= text;
  }
  return first ?? '';
}

interface Entities {
  readonly values: string[];
  readonly accountIds: string[];
  readonly statuses: string | undefined;
}

function readEntities(value: unknown): Entities {
  const values: (string | undefined)[] = [];
  const accountIds: (string | undefined)[] = [];
  const counts = new Map<string, number>();
  for (const entity of asArray(parseMaybeJson(value))) {
    if (!isRecord(entity)) {
      values.push(readText(entity));
      continue;
    }
    values.push(readText(readField(entity, 'entityValue')));
    accountIds.push(readAccountId(readField(entity, 'awsAccountId')));
    const status = readText(readField(entity, 'status'), 40)?.toUpperCase();
    if (status !== undefined) counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const statuses = [...counts].map(([status, count]) => `${status}:${count}`).join(',');
  return {
    values: uniqueStrings(values),
    accountIds: uniqueStrings(accountIds),
    statuses: statuses || undefined,
  };
}

function readStringList(value: unknown): string[] {
  const parsed = parseMaybeJson(value);
  return uniqueStrings((Array.isArray(parsed) ? parsed : [parsed]).map((entry) => readText(entry, 100)));
}

// ---- one event ----------------------------------------------------------------------------------------

interface Envelope {
  readonly record: JsonRecord;
  /** The input path of the envelope (`Entries[1]`), '' for a single event. */
  readonly path: string;
}

/** Where the Health event sits: `detail`, or `Detail` (a JSON string) in a PutEvents entry. */
function readDetailPath(record: JsonRecord, prefix: string): string {
  const putEntry = record.detail === undefined && readField(record, 'DetailType') !== undefined;
  return `${prefix}${putEntry ? 'Detail' : 'detail'}`;
}

/** The Health event itself, as a record. */
function readDetail(record: JsonRecord, detailPath: string): JsonRecord {
  const rawDetail = readField(record, 'detail');
  const parsedDetail = parseMaybeJson(rawDetail);
  if (!isRecord(parsedDetail)) {
    throw new InvalidInputError(
      FORMAT,
      detailPath,
      typeof rawDetail === 'string' ? 'is not a JSON object' : 'is missing or not an object',
    );
  }
  return parsedDetail;
}

/** The text fields of the Health event that the mapping reads more than once. */
interface DetailFields {
  readonly eventArn: string;
  readonly service: string | undefined;
  readonly eventTypeCode: string | undefined;
  readonly eventTypeCategory: string | undefined;
  readonly eventScopeCode: string | undefined;
  readonly statusCode: string | undefined;
  readonly communicationId: string | undefined;
  readonly actionability: string | undefined;
}

function readDetailFields(detail: JsonRecord, detailPath: string): DetailFields {
  const text = (key: string, maxLength?: number): string | undefined =>
    readText(readField(detail, key), maxLength);
  const eventArn = text('eventArn', 1000) ?? text('arn', 1000);
  if (eventArn === undefined) {
    throw new InvalidInputError(FORMAT, `${detailPath}.eventArn`, 'is missing or not a string');
  }
  return {
    eventArn,
    service: text('service', 100),
    eventTypeCode: text('eventTypeCode', 200),
    eventTypeCategory: text('eventTypeCategory', 100),
    eventScopeCode: text('eventScopeCode', 100),
    statusCode: text('statusCode', 100),
    communicationId: text('communicationId', 300),
    actionability: text('actionability', 100),
  };
}

/**
 * The category from eventTypeCategory (an unknown or missing one with a notice), action-required for
 * an actionable advisory, and security for abuse events and security or risk event types.
 */
function readCategory(
  fields: DetailFields,
  detailType: string | undefined,
  where: string,
  notices: string[],
): Category {
  const { eventTypeCategory } = fields;
  let category: Category;
  const categoryToken = toToken(eventTypeCategory);
  const mapped = CATEGORY_BY_TYPE.get(categoryToken);
  if (mapped !== undefined) {
    category = mapped;
  } else {
    category = CATEGORY_ALIASES.get(categoryToken) ?? 'advisory';
    notices.push(
      eventTypeCategory === undefined
        ? `${where}: eventTypeCategory is missing; treated as ${category}`
        : `${where}: unknown eventTypeCategory "${eventTypeCategory}"; treated as ${category}`,
    );
  }
  if (category === 'advisory' && toToken(fields.actionability) === 'actionrequired') {
    category = 'action-required';
  }
  const upperCode = fields.eventTypeCode?.toUpperCase() ?? '';
  if (
    toToken(detailType).includes('abuse') ||
    upperCode.includes('SECURITY') ||
    upperCode.includes('RISK') ||
    upperCode.includes('ABUSE')
  ) {
    category = 'security';
  }
  return category;
}

/**
 * Status from statusCode + endTime (an "open" event may already carry its end), judged at
 * `reference`: the latest provider time.
 */
function readStatus(
  statusCode: string | undefined,
  category: Category,
  startedAt: string | undefined,
  endTime: string | undefined,
  reference: string,
  notices: string[],
  where: string,
): Status {
  const statusToken = toToken(statusCode);
  if (statusToken === 'closed') return 'resolved';
  if (statusToken === 'upcoming') return 'scheduled';
  if (statusToken !== 'open') {
    notices.push(
      statusCode === undefined
        ? `${where}: statusCode is missing; status derived from endTime`
        : `${where}: unknown statusCode "${statusCode}"; status derived from endTime`,
    );
  }
  if (endTime !== undefined && endTime <= reference) return 'resolved';
  if (category === 'advisory') return 'informational';
  if (category === 'maintenance' && startedAt !== undefined && startedAt > reference) return 'scheduled';
  return 'active';
}

function readSeverity(category: Category, eventScopeCode: string | undefined): Severity {
  if (category === 'security') return 'critical';
  if (category === 'incident') return toToken(eventScopeCode) === 'public' ? 'error' : 'warning';
  if (category === 'maintenance') return 'warning';
  return 'info';
}

/** The affected accounts and resources: the affected (else receiving) account, then the entities'. */
function readScope(record: JsonRecord, detail: JsonRecord, entities: Entities): Scope {
  const scope: Scope = createEmptyScope();
  scope.accountIds = uniqueStrings([
    readAccountId(readField(detail, 'affectedAccount')) ?? readAccountId(readField(record, 'account')),
    ...entities.accountIds,
  ]);
  scope.resourceIds = uniqueStrings([
    ...asArray(parseMaybeJson(readField(record, 'resources'))).map((resource) => readText(resource)),
    ...entities.values,
  ]);
  return scope;
}

/** `eventMetadata`: its truncated flag, then up to MAX_METADATA_ATTRIBUTES entries as `metadata.<name>`. */
function addMetadataAttributes(attributes: Attributes, metadata: unknown): void {
  if (!isRecord(metadata)) return;
  const truncated = readBoolean(readField(metadata, 'truncated'));
  if (truncated !== undefined) attributes.truncated = truncated;
  let count = 0;
  for (const [key, value] of Object.entries(metadata)) {
    const name = readText(key, 100);
    const metadataValue = readText(value, 1000);
    if (name === undefined || metadataValue === undefined || toToken(name) === 'truncated') continue;
    if (++count > MAX_METADATA_ATTRIBUTES) break;
    attributes[`metadata.${name}`] = metadataValue;
  }
}

/** Every identifier and flag of the event and its envelope (null when absent), then its metadata. */
function readAttributes(
  record: JsonRecord,
  detail: JsonRecord,
  fields: DetailFields,
  page: number | undefined,
  totalPages: number | undefined,
): Attributes {
  const attributes: Attributes = {
    eventArn: fields.eventArn,
    eventTypeCode: fields.eventTypeCode ?? null,
    eventTypeCategory: fields.eventTypeCategory ?? null,
    eventScopeCode: fields.eventScopeCode ?? null,
    statusCode: fields.statusCode ?? null,
    communicationId: fields.communicationId ?? null,
    page: page ?? null,
    totalPages: totalPages ?? null,
    backupEvent: readBoolean(readField(detail, 'backupEvent')) ?? null,
    actionability: fields.actionability ?? null,
    personas: readStringList(readField(detail, 'personas')).join(',') || null,
    deliveryRegion: readText(readField(record, 'region'), 60) ?? null,
    source: readSource(record) ?? null,
    detailType: readDetailType(record) ?? null,
  };
  addMetadataAttributes(attributes, parseMaybeJson(readField(detail, 'eventMetadata')));
  return attributes;
}

function normalizeEnvelope(
  { record, path }: Envelope,
  context: NormalizeContext,
  notices: string[],
): CrosswatchEvent {
  const detailPath = readDetailPath(record, path ? `${path}.` : '');
  const detail = readDetail(record, detailPath);
  const get = (key: string): unknown => readField(detail, key);
  const text = (key: string, maxLength?: number): string | undefined => readText(get(key), maxLength);
  const fields = readDetailFields(detail, detailPath);
  const { eventArn, service, statusCode, communicationId } = fields;
  const incidentKey = `aws:${eventArn}`;
  const where = path ? `${path} (${eventArn})` : eventArn;

  const time = toIsoUtc(readField(record, 'time'));
  const startedAt = toIsoUtc(get('startTime'));
  const endTime = toIsoUtc(get('endTime'));
  const lastUpdatedTime = toIsoUtc(get('lastUpdatedTime'));
  const updatedAt = lastUpdatedTime ?? time ?? context.receivedAt;

  const category = readCategory(fields, readDetailType(record), where, notices);
  const status = readStatus(statusCode, category, startedAt, endTime, updatedAt, notices, where);
  const severity = readSeverity(category, fields.eventScopeCode);

  // The same published update is the same whichever copy, page, Region or account carries it.
  const communicationBase = communicationId ? toCommunicationBase(communicationId) : undefined;
  const updateIdentity =
    communicationBase ??
    lastUpdatedTime ??
    startedAt ??
    time ??
    text('lastUpdatedTime', 100) ??
    text('startTime', 100) ??
    'undated';
  const updateKey = `${incidentKey}:${updateIdentity}:${toToken(statusCode) || status}`;

  const regions = uniqueStrings([text('eventRegion', 60) ?? text('region', 60) ?? regionOfArn(eventArn)]);
  const entities = readEntities(get('affectedEntities'));
  const scope = readScope(record, detail, entities);
  const title = toPlainTitle(deriveTitle(fields.eventTypeCode, service));
  const summary = readDescription(get('eventDescription')) || title;

  const page = readInteger(get('page'));
  const totalPages = readInteger(get('totalPages'));
  const attributes = readAttributes(record, detail, fields, page, totalPages);
  if (entities.statuses !== undefined) attributes.affectedEntityStatuses = entities.statuses;
  if (category === 'maintenance' && endTime !== undefined) attributes.plannedEnd = endTime;
  if (page !== undefined && totalPages !== undefined && totalPages > 1) {
    notices.push(
      `${where}: page ${page} of ${totalPages}: the other pages list more affected resources of the same update`,
    );
  }

  return createProviderEvent(EVENT_TYPES.providerIncident, {
    schemaVersion: 1,
    provider: 'aws',
    origin: FORMAT,
    incidentKey,
    updateKey,
    category,
    status,
    severity,
    title,
    summary,
    services: uniqueStrings([service]),
    regions,
    scope,
    startedAt: startedAt ?? null,
    updatedAt,
    resolvedAt: status === 'resolved' ? (endTime ?? updatedAt) : null,
    links: [{ label: 'AWS Health Dashboard', url: `${DASHBOARD_URL}${encodeUriComponentSafe(eventArn)}` }],
    evidence: context.evidence,
    stage: statusCode ?? null,
    attributes,
  });
}

// ---- the format -------------------------------------------------------------------------------------

function normalizeList(list: ListShape, context: NormalizeContext): FormatResult {
  const events: CrosswatchEvent[] = [];
  const notices: string[] = [];
  let firstError: NormalizeError | undefined;
  for (const [index, item] of list.items.entries()) {
    const path = `${list.prefix}[${index}]`;
    if (!isHealthEnvelope(item)) {
      notices.push(`${path} skipped: not an AWS Health event`);
      continue;
    }
    try {
      events.push(normalizeEnvelope({ record: item, path }, context, notices));
    } catch (error) {
      if (!(error instanceof NormalizeError)) throw error;
      firstError ??= error;
      notices.push(`${path} skipped: ${error.message}`);
    }
  }
  if (events.length === 0) {
    throw firstError ?? new InvalidInputError(FORMAT, list.prefix || '[]', 'holds no AWS Health event');
  }
  return { events, notices };
}

function isAwsHealthDocument(document: unknown): boolean {
  if (isHealthEnvelope(document)) return true;
  const list = readListShape(document);
  if (list === undefined) return false;
  const scan = Math.min(list.items.length, MATCH_SCAN_LIMIT);
  for (let index = 0; index < scan; index += 1) if (isHealthEnvelope(list.items[index])) return true;
  return false;
}

export const awsHealthFormat: InputFormat = {
  id: FORMAT,

  matches(document) {
    try {
      return isAwsHealthDocument(document);
    } catch {
      return false;
    }
  },

  normalize(document, context) {
    if (isHealthEnvelope(document)) {
      const notices: string[] = [];
      return { events: [normalizeEnvelope({ record: document, path: '' }, context, notices)], notices };
    }
    const list = readListShape(document);
    if (list === undefined) {
      throw new InvalidInputError(FORMAT, 'source', 'does not name an AWS Health event (aws.health)');
    }
    return normalizeList(list, context);
  },
};

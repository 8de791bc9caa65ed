/**
 * Microsoft 365 service health from Microsoft Graph (`/admin/serviceAnnouncement/issues`): a single
 * `serviceHealthIssue` (GET by id, with or without `@odata.context`) or a list page
 * `{ "@odata.context", "value": [...], "@odata.nextLink"? }` (one event per issue).
 *
 * Quirks handled (see the fixtures under test/fixtures/m365-graph):
 * - enum casing: the docs list camelCase (`incident`, `serviceRestored`), the example responses show
 *   PascalCase (`Incident`, `ServiceRestored`): every enum is compared case-insensitively, and property
 *   names are looked up case-insensitively too (PowerShell SDK output is PascalCase);
 * - `posts[].description.content` is declared HTML but the sample is plain text with newlines;
 * - every update lives in `posts[]` of the same issue: a new update shows as a new
 *   `lastModifiedDateTime` (or a new post), which is the update's identity;
 * - list pages carry `@odata.nextLink`: the caller must follow it (a notice says so);
 * - example data is inconsistent (a post created before `startDateTime`) and may be shortened; the
 *   resource "JSON representation" is a type template (`"String (timestamp)"`): unparseable times
 *   fall back, unknown enums are kept as published with a notice.
 */
import { createEmptyScope, createProviderEvent } from '../event/create-event.ts';
import type { CrosswatchEvent, ProviderEventData } from '../event/schema.ts';
import { EVENT_TYPES, type Severity, type Status } from '../event/vocabulary.ts';
import {
  asArray,
  encodeUriComponentSafe,
  isRecord,
  type JsonRecord,
  parseMaybeJson,
  readBoolean,
  readField,
  readString,
  readText,
  toToken,
} from '../util/read.ts';
import { toPlainText, toPlainTitle } from '../util/text.ts';
import { toIsoUtc } from '../util/time.ts';
import { InvalidInputError, NormalizeError } from './errors.ts';
import type { FormatResult, InputFormat, NormalizeContext } from './input-format.ts';

const FORMAT = 'm365-graph';
const ISSUES_CONTEXT = 'serviceannouncement/issues';
const MAX_DETAIL_ATTRIBUTES = 50;
/** How many list items `matches` passes over to find the first object. */
const MATCH_SCAN_LIMIT = 32;
const ADMIN_CENTER_URL = 'https://admin.microsoft.com/Adminportal/Home#/servicehealth/:/alerts/';

type Attributes = ProviderEventData['attributes'];
type Category = ProviderEventData['category'];

/** Graph statuses (camelCase tokens, plus the old Service Communications API wording) that mean resolved. */
const RESOLVED_STATUSES = new Set([
  'serviceoperational',
  'servicerestored',
  'postincidentreviewpublished',
  'postincidentreportpublished',
  'falsepositive',
  'resolved',
  'resolvedexternal',
  'mitigated',
  'mitigatedexternal',
]);

/** Statuses known to mean the issue is still open. */
const ACTIVE_STATUSES = new Set([
  'investigating',
  'restoringservice',
  'verifyingservice',
  'servicedegradation',
  'serviceinterruption',
  'extendedrecovery',
  'confirmed',
  'reported',
  'investigationsuspended',
]);

/** Keys that only a service health issue carries (a list item without them is something else). */
const ISSUE_KEYS = ['classification', 'impactDescription', 'isResolved', 'featureGroup', 'posts'];

// ---- defensive field access ----------------------------------------------------------------------

/** `matches`: a string id, a string classification and a service or status. */
function looksLikeIssue(value: unknown): boolean {
  if (!isRecord(value)) return false;
  return (
    typeof readField(value, 'id') === 'string' &&
    typeof readField(value, 'classification') === 'string' &&
    (readField(value, 'service') !== undefined || readField(value, 'status') !== undefined)
  );
}

/** A list item that is meant to be an issue (it may still lack its id). */
function isIssueItem(value: unknown): value is JsonRecord {
  return isRecord(value) && ISSUE_KEYS.some((key) => readField(value, key) !== undefined);
}

function readContext(document: JsonRecord): string {
  return (readString(document['@odata.context']) ?? '').toLowerCase();
}

interface ListShape {
  readonly items: unknown[];
  readonly nextLink: string | undefined;
}

function readListShape(document: unknown): ListShape | undefined {
  if (!isRecord(document) || looksLikeIssue(document)) return undefined;
  const value = document.value;
  if (!Array.isArray(value)) return undefined;
  return { items: value, nextLink: readText(document['@odata.nextLink'], 2000) };
}

// ---- one issue ----------------------------------------------------------------------------------------

interface LatestPost {
  readonly createdAt: string | undefined;
  readonly content: unknown;
}

/** The latest post by createdDateTime (the last one listed on ties or when no post has a time). */
function readLatestPost(posts: unknown[]): LatestPost | undefined {
  let latest: LatestPost | undefined;
  for (const post of posts) {
    if (!isRecord(post)) continue;
    const createdAt = toIsoUtc(readField(post, 'createdDateTime'));
    const newer =
      latest === undefined ||
      (createdAt === undefined
        ? latest.createdAt === undefined
        : latest.createdAt === undefined || createdAt >= latest.createdAt);
    if (!newer) continue;
    const description = parseMaybeJson(readField(post, 'description'));
    latest = { createdAt, content: isRecord(description) ? readField(description, 'content') : description };
  }
  return latest;
}

function readIssueCategory(classification: string | undefined, where: string, notices: string[]): Category {
  const classificationToken = toToken(classification);
  if (classificationToken === 'incident') return 'incident';
  if (classificationToken !== 'advisory') {
    notices.push(
      classification === undefined
        ? `${where}: classification is missing; treated as an advisory`
        : `${where}: unknown classification "${classification}"; treated as an advisory`,
    );
  }
  return 'advisory';
}

function readIssueSeverity(statusToken: string, category: Category): Severity {
  if (statusToken === 'serviceinterruption') return 'critical';
  if (category === 'incident') return 'error';
  return 'warning';
}

/** The issue's identifiers and flags (null when absent), then up to MAX_DETAIL_ATTRIBUTES `detail.<name>`. */
function readIssueAttributes(
  issue: JsonRecord,
  id: string,
  classification: string | undefined,
  graphStatus: string | undefined,
  isResolved: boolean | undefined,
  postCount: number,
  latestPost: LatestPost | undefined,
): Attributes {
  const text = (key: string, maxLength: number) => readText(readField(issue, key), maxLength) ?? null;
  const attributes: Attributes = {
    issueId: id,
    classification: classification ?? null,
    graphStatus: graphStatus ?? null,
    origin: text('origin', 100),
    feature: text('feature', 300),
    featureGroup: text('featureGroup', 300),
    isResolved: isResolved ?? null,
    postCount,
    latestPostAt: latestPost?.createdAt ?? null,
  };
  let detailCount = 0;
  for (const detail of asArray(parseMaybeJson(readField(issue, 'details')))) {
    if (!isRecord(detail)) continue;
    const name = readText(readField(detail, 'name'), 100);
    if (name === undefined) continue;
    if (++detailCount > MAX_DETAIL_ATTRIBUTES) break;
    attributes[`detail.${name}`] = readText(readField(detail, 'value'), 1000) ?? null;
  }
  return attributes;
}

function normalizeIssue(
  issue: JsonRecord,
  path: string,
  context: NormalizeContext,
  notices: string[],
): CrosswatchEvent {
  const get = (key: string): unknown => readField(issue, key);
  const text = (key: string, maxLength?: number): string | undefined => readText(get(key), maxLength);
  const id = text('id', 200);
  if (id === undefined) {
    throw new InvalidInputError(FORMAT, `${path ? `${path}.` : ''}id`, 'is missing or not a string');
  }
  const incidentKey = `m365:${id}`;
  const where = path ? `${path} (${id})` : id;

  const classification = text('classification', 100);
  const graphStatus = text('status', 100);
  const statusToken = toToken(graphStatus);
  const isResolved = readBoolean(get('isResolved'));
  const category = readIssueCategory(classification, where, notices);
  const resolved = isResolved === true || RESOLVED_STATUSES.has(statusToken);
  const status: Status = resolved ? 'resolved' : 'active';
  if (!RESOLVED_STATUSES.has(statusToken) && !ACTIVE_STATUSES.has(statusToken)) {
    notices.push(
      graphStatus === undefined
        ? `${where}: status is missing; treated as ${status}`
        : `${where}: unknown status "${graphStatus}"; treated as ${status}`,
    );
  }
  const severity = readIssueSeverity(statusToken, category);

  const posts = asArray(parseMaybeJson(get('posts')));
  const latestPost = readLatestPost(posts);
  const lastModified = toIsoUtc(get('lastModifiedDateTime'));
  const startedAt = toIsoUtc(get('startDateTime'));
  const endedAt = toIsoUtc(get('endDateTime'));
  const updatedAt = lastModified ?? latestPost?.createdAt ?? context.receivedAt;
  // The update's identity never depends on when crosswatch polled it.
  const updateTime =
    lastModified ?? latestPost?.createdAt ?? startedAt ?? text('lastModifiedDateTime', 100) ?? 'undated';
  const updateKey = `${incidentKey}:${updateTime}:${statusToken || 'unknown'}`;

  const service = text('service', 200);
  const title =
    toPlainTitle(get('title')) || `${service ?? 'Microsoft 365'} ${classification ?? 'issue'} ${id}`;
  const summary = toPlainText(get('impactDescription')) || toPlainText(latestPost?.content) || title;
  const attributes = readIssueAttributes(
    issue,
    id,
    classification,
    graphStatus,
    isResolved,
    posts.length,
    latestPost,
  );

  return createProviderEvent(EVENT_TYPES.providerIncident, {
    schemaVersion: 1,
    provider: 'm365',
    origin: FORMAT,
    incidentKey,
    updateKey,
    category,
    status,
    severity,
    title,
    summary,
    services: service ? [service] : [],
    regions: [],
    scope: createEmptyScope(),
    startedAt: startedAt ?? null,
    updatedAt,
    resolvedAt: resolved ? (endedAt ?? updatedAt) : null,
    links: [{ label: 'Microsoft 365 admin center', url: `${ADMIN_CENTER_URL}${encodeUriComponentSafe(id)}` }],
    evidence: context.evidence,
    stage: graphStatus ?? null,
    attributes,
  });
}

// ---- the format -------------------------------------------------------------------------------------

function normalizeList(list: ListShape, context: NormalizeContext): FormatResult {
  const events: CrosswatchEvent[] = [];
  const notices: string[] = [];
  let firstError: NormalizeError | undefined;
  for (const [index, item] of list.items.entries()) {
    const path = `value[${index}]`;
    if (!isIssueItem(item)) {
      notices.push(`${path} skipped: not a service health issue`);
      continue;
    }
    try {
      events.push(normalizeIssue(item, path, context, notices));
    } catch (error) {
      if (!(error instanceof NormalizeError)) throw error;
      firstError ??= error;
      notices.push(`${path} skipped: ${error.message}`);
    }
  }
  if (events.length === 0 && list.items.length > 0) {
    throw firstError ?? new InvalidInputError(FORMAT, 'value', 'holds no service health issue');
  }
  if (list.items.length === 0) notices.push('the list holds no service health issues');
  if (list.nextLink !== undefined) {
    notices.push(
      'the list has more pages (@odata.nextLink): only this page was normalized; follow @odata.nextLink for the rest',
    );
  }
  return { events, notices };
}

function isGraphDocument(document: unknown): boolean {
  if (!isRecord(document)) return false;
  if (looksLikeIssue(document)) return true;
  if (readContext(document).includes(ISSUES_CONTEXT)) return true;
  const value = document.value;
  if (!Array.isArray(value)) return false;
  const scan = Math.min(value.length, MATCH_SCAN_LIMIT);
  for (let index = 0; index < scan; index += 1) {
    if (isRecord(value[index])) return looksLikeIssue(value[index]);
  }
  return false;
}

export const m365GraphFormat: InputFormat = {
  id: FORMAT,

  matches(document) {
    try {
      return isGraphDocument(document);
    } catch {
      return false;
    }
  },

  normalize(document, context) {
    const list = readListShape(document);
    if (list !== undefined) return normalizeList(list, context);
    if (!isRecord(document)) {
      throw new InvalidInputError(FORMAT, 'id', 'is missing: the input is not a service health issue object');
    }
    const notices: string[] = [];
    return { events: [normalizeIssue(document, '', context, notices)], notices };
  },
};

/**
 * Raw Azure activity-log records, as Event Hubs, diagnostic exports and the Activity Log REST API give
 * them, in three shapes:
 * - a single record, its enums wrapped as `{value, localizedValue}` (`category`, `operationName`,
 *   `status`, `resourceType`, `subStatus`);
 * - a list, `{ "value": [records…], "nextLink"? }` as the REST API returns it, or a bare array
 *   (`az monitor activity-log list`): one event per health record, other records skipped with a notice;
 * - a common-schema `alertContext` without its envelope (bare, or as `{"alertContext": {…}}`), where
 *   enums are unwrapped and `eventSource`, `level` and `channels` may be numbers.
 *
 * `category` (or `eventSource`) `ServiceHealth` → a provider incident, `ResourceHealth` → a resource
 * health change; Administrative, Policy, Security … records are recognized and ignored. A numeric
 * `eventSource` says nothing, so the operation name (`Microsoft.ServiceHealth/…`) decides then. Resource
 * Health records name their fields `healthStatus/healthEventType/healthEventCause/healthEventCategory`
 * rather than the alert's `currentHealthStatus/type/cause`; azure-resource-health-alert.ts maps both.
 */
import type { CrosswatchEvent } from '../event/schema.ts';
import { isRecord, type JsonRecord, readField, readText } from '../util/read.ts';
import { readRecordField } from './azure-activity-fields.ts';
import { buildHealthEvent, classifyActivityEvent, describeIgnoredEvent } from './azure-health-signal.ts';
import { InvalidInputError, NormalizeError } from './errors.ts';
import type { FormatResult, InputFormat, NormalizeContext } from './input-format.ts';

const FORMAT = 'azure-activity-log-record';
/** How many list items `matches` inspects: enough to skip a few malformed ones, cheap on huge pages. */
const MATCH_SCAN_LIMIT = 32;

function hasField(record: JsonRecord, key: string): boolean {
  return readField(record, key) !== undefined;
}

/**
 * An activity-log event: an id (`eventDataId` or `correlationId`), an `operationName`, a time and a
 * `category` or `eventSource`. Graph issues and Resource Health REST items have none of these.
 */
function isActivityRecord(value: unknown): value is JsonRecord {
  return (
    isRecord(value) &&
    (hasField(value, 'eventDataId') || hasField(value, 'correlationId')) &&
    hasField(value, 'operationName') &&
    (hasField(value, 'eventTimestamp') || hasField(value, 'submissionTimestamp')) &&
    (hasField(value, 'category') || hasField(value, 'eventSource'))
  );
}

interface ListShape {
  readonly items: unknown[];
  readonly prefix: string;
  readonly nextLink: string | undefined;
}

function readListShape(document: unknown): ListShape | undefined {
  if (Array.isArray(document)) return { items: document, prefix: '', nextLink: undefined };
  if (isRecord(document) && Array.isArray(document.value)) {
    return { items: document.value, prefix: 'value', nextLink: readText(document.nextLink, 2000) };
  }
  return undefined;
}

/** `{"alertContext": {…}}` without a schemaId: a common-schema fragment (essentials optional). */
function readAlertContextFragment(document: unknown): JsonRecord | undefined {
  if (!isRecord(document) || document.schemaId !== undefined) return undefined;
  const alertContext = readRecordField(document, 'alertContext');
  return isActivityRecord(alertContext) ? alertContext : undefined;
}

function isRecordDocument(document: unknown): boolean {
  if (isActivityRecord(document) || readAlertContextFragment(document) !== undefined) return true;
  const list = readListShape(document);
  if (list === undefined) return false;
  const scan = Math.min(list.items.length, MATCH_SCAN_LIMIT);
  for (let index = 0; index < scan; index += 1) if (isActivityRecord(list.items[index])) return true;
  return false;
}

function normalizeSingle(
  record: JsonRecord,
  path: string,
  essentials: JsonRecord | undefined,
  context: NormalizeContext,
): FormatResult {
  const { signal, field, label } = classifyActivityEvent(record);
  if (signal === undefined) {
    return {
      events: [],
      ignored: describeIgnoredEvent('Azure activity-log record', field ?? 'category', label),
      notices: [],
    };
  }
  const notices: string[] = [];
  const event = buildHealthEvent(signal, { record, path, essentials }, context, FORMAT, notices);
  return { events: [event], notices };
}

function normalizeList(list: ListShape, context: NormalizeContext): FormatResult {
  const events: CrosswatchEvent[] = [];
  const notices: string[] = [];
  let firstError: NormalizeError | undefined;
  let records = 0;
  for (const [index, item] of list.items.entries()) {
    const path = `${list.prefix}[${index}]`;
    if (!isActivityRecord(item)) {
      notices.push(`${path} skipped: not an activity-log record`);
      continue;
    }
    records += 1;
    const { signal, field, label } = classifyActivityEvent(item);
    if (signal === undefined) {
      notices.push(
        `${path} skipped: ${describeIgnoredEvent('activity-log record', field ?? 'category', label)}`,
      );
      continue;
    }
    try {
      events.push(buildHealthEvent(signal, { record: item, path }, context, FORMAT, notices));
    } catch (error) {
      if (!(error instanceof NormalizeError)) throw error;
      firstError ??= error;
      notices.push(`${path} skipped: ${error.message}`);
    }
  }
  if (list.nextLink !== undefined) {
    notices.push(
      'the list has more pages (nextLink): only this page was normalized; follow nextLink for the rest',
    );
  }
  if (events.length > 0) return { events, notices };
  if (firstError !== undefined) throw firstError;
  if (records === 0) {
    throw new InvalidInputError(FORMAT, list.prefix || '[]', 'holds no activity-log record');
  }
  return {
    events: [],
    ignored: `none of the ${records} activity-log record(s) is a health signal (ServiceHealth or ResourceHealth)`,
    notices,
  };
}

export const azureActivityLogRecordFormat: InputFormat = {
  id: FORMAT,

  matches(document) {
    try {
      return isRecordDocument(document);
    } catch {
      return false;
    }
  },

  normalize(document, context) {
    if (isActivityRecord(document)) return normalizeSingle(document, '', undefined, context);
    const alertContext = readAlertContextFragment(document);
    if (alertContext !== undefined && isRecord(document)) {
      return normalizeSingle(alertContext, 'alertContext', readRecordField(document, 'essentials'), context);
    }
    const list = readListShape(document);
    if (list !== undefined) return normalizeList(list, context);
    throw new InvalidInputError(
      FORMAT,
      'operationName',
      'is missing: the input is not an activity-log record (eventDataId, operationName, eventTimestamp, category)',
    );
  },
};

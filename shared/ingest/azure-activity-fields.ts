/**
 * Defensive readers for the fields of an Azure activity-log event, as the three Azure alert formats
 * carry it (the common alert schema's `alertContext`, the legacy webhook's `activityLog`, a raw
 * activity-log record). None of them throws.
 *
 * Quirks handled (see test/fixtures/azure-monitor-common, azure-activity-log-webhook,
 * azure-activity-log-record and azure-service-health):
 * - fields arrive JSON-encoded (legacy properties are `Dictionary<String, String>`), sometimes a JSON
 *   string of encoded JSON; keys vary in case (`ResourceType`), and raw records wrap enums as
 *   `{value, localizedValue}`;
 * - `alertTargetIDs` is an array, a JSON-encoded array or a single string;
 * - ids are not always GUIDs (`…-ur8c6-…`), and documentation samples use placeholders (`<GUID>`).
 */
import { isRecord, type JsonRecord, parseMaybeJson, readField, readText } from '../util/read.ts';
import { toPlainText, toPlainTitle } from '../util/text.ts';
import { toIsoUtc } from '../util/time.ts';

const SUBSCRIPTION_IN_ID = /^\/subscriptions\/([^/]+)/i;
const MAX_TEXT = 500;
/** The longest id or key part (tracking id, communication id, correlation id) kept from an event. */
export const MAX_KEY_PART = 200;
/** Guards against absurdly nested encodings (a JSON string of a JSON string of …). */
const MAX_DECODE_DEPTH = 3;

/** A field that may arrive JSON-encoded (legacy properties are `Dictionary<String, String>`), as a record. */
export function readRecordField(record: JsonRecord, key: string): JsonRecord | undefined {
  const value = decodeJson(readField(record, key));
  return isRecord(value) ? value : undefined;
}

export function readFieldText(record: JsonRecord, key: string, maxLength = MAX_TEXT): string | undefined {
  return readText(readField(record, key), maxLength);
}

export function readTime(value: unknown): string | undefined {
  return toIsoUtc(value);
}

/**
 * JSON-decodes strings that hold a JSON array or object, repeatedly (a JSON string literal of encoded
 * JSON is unwrapped too), never throwing.
 */
export function decodeJson(value: unknown): unknown {
  let current = value;
  for (let depth = 0; depth < MAX_DECODE_DEPTH && typeof current === 'string'; depth += 1) {
    const trimmed = current.trim();
    let next: unknown = current;
    if (trimmed.length > 1 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
      try {
        next = JSON.parse(trimmed);
      } catch {
        return current;
      }
    } else {
      next = parseMaybeJson(current);
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Strings from an array, a JSON-encoded array or a single string (`alertTargetIDs`). */
export function readStringList(value: unknown): string[] {
  const decoded = decodeJson(value);
  const items = Array.isArray(decoded) ? decoded : [decoded];
  return items.map((item) => readText(item, 2000)).filter((item): item is string => item !== undefined);
}

/** The subscription id at the start of an ARM id (`/subscriptions/<id>/…`), lower-cased. */
export function readSubscriptionOf(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const subscription = SUBSCRIPTION_IN_ID.exec(id.trim())?.[1]?.trim().toLowerCase();
  return subscription ? subscription : undefined;
}

/** The resource type (`Microsoft.Compute/virtualMachines`) named by an ARM resource id, if any. */
export function readResourceTypeOf(resourceId: string): string | undefined {
  const segments = resourceId.split('/');
  const at = segments.map((segment) => segment.toLowerCase()).lastIndexOf('providers');
  if (at < 0) return undefined;
  const namespace = segments[at + 1];
  const types: string[] = [];
  for (let index = at + 2; index < segments.length; index += 2) {
    const type = segments[index];
    if (type) types.push(type);
  }
  return namespace && types.length > 0 ? `${namespace}/${types.join('/')}` : undefined;
}

/** The first value with plain text (HTML and entities removed), or ''. */
export function firstPlainText(...values: unknown[]): string {
  for (const value of values) {
    const text = toPlainText(value);
    if (text) return text;
  }
  return '';
}

/** The first value with a plain one-line title, or ''. */
export function firstPlainTitle(...values: unknown[]): string {
  for (const value of values) {
    const text = toPlainTitle(value);
    if (text) return text;
  }
  return '';
}

/**
 * Defensive readers for untrusted provider JSON. Every reader accepts `unknown` and returns a typed
 * value or a fallback; none of them throws. Shared by the normalizers, the probes and the pollers.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): JsonRecord {
  return isRecord(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * A string from a string, a number or a `{value, localizedValue}` wrapper (raw activity-log records
 * wrap enums that way). Empty strings count as missing.
 */
export function readString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (isRecord(value)) return readString(value.value) ?? readString(value.localizedValue);
  return undefined;
}

/** Like readString, looking the key up case-insensitively (`ResourceType` vs `resourceType`). */
export function readStringField(record: JsonRecord, key: string): string | undefined {
  const direct = readString(record[key]);
  if (direct !== undefined) return direct;
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(record)) {
    if (k.toLowerCase() === lower) {
      const found = readString(v);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** A boolean from true/false or the strings "true"/"false" (any case). */
export function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = readString(value)?.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}

/** An integer from a number or a numeric string ("1"). */
export function readInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const text = readString(value)?.trim();
  if (text === undefined || !/^-?\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** Parses a value that may be a JSON-encoded string (Azure's impactedServices); never throws. */
export function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('[') || trimmed.startsWith('{'))) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

/** The value at a path, or undefined; tolerant of any shape on the way. */
export function readPath(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Case- and punctuation-insensitive token for enum comparison: "Resource Health" → "resourcehealth". */
export function toToken(value: unknown): string {
  return (readString(value) ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** De-duplicated, trimmed, non-empty strings, in first-seen order. */
export function uniqueStrings(values: Iterable<string | undefined | null>): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed) seen.add(trimmed);
  }
  return [...seen];
}

/**
 * A lookup table from a literal. A Map, not a plain object, so provider-controlled keys such as
 * `constructor` or `__proto__` can never resolve to inherited members.
 */
export function createLookup<T>(entries: Readonly<Record<string, T>>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}

const TIDY_ASCII = /^(?:[\x21-\x7e]+(?: [\x21-\x7e]+)*)?$/;

/** A field looked up exactly, then case-insensitively (`ResourceType`, `IsSynthetic`); null counts as missing. */
export function readField(record: JsonRecord, key: string): unknown {
  const direct = record[key];
  if (direct !== undefined && direct !== null) return direct;
  const lower = key.toLowerCase();
  for (const k in record) {
    // The length test skips most keys without lower-casing them (this runs for every absent field).
    if (k.length !== key.length || !Object.hasOwn(record, k) || k.toLowerCase() !== lower) continue;
    const value = record[k];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** A trimmed, single-line string (whitespace and control characters collapsed), or undefined. */
export function readText(value: unknown, maxLength = 500): string | undefined {
  const raw = readString(value);
  if (raw === undefined) return undefined;
  // Fast path: printable ASCII with single inner spaces needs no collapsing (most ids and enums).
  const text = (TIDY_ASCII.test(raw) ? raw : raw.replace(/[\s\p{Cc}]+/gu, ' ').trim()).slice(0, maxLength);
  return text ? text : undefined;
}

/** encodeURIComponent that cannot throw: lone UTF-16 surrogates are replaced first. */
export function encodeUriComponentSafe(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}

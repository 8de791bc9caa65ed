/**
 * crosswatch's own probe results as an input format. The probe runner produces `ProbeResult`
 * records (one per target and vantage per round) and turns them into probe-result CloudEvents with
 * `createProbeResultEvent` (event/probe-result-event.ts); the same records (a single one, an array, or `{ "results": [...] }`) and
 * already-normalized probe-result CloudEvents are accepted by `crosswatch normalize` for replays.
 *
 * Validation is hand-written on purpose: a schema library would cost more at cold start than the
 * whole ingest module is allowed (see bench/normalize.bench.ts).
 */
import {
  createProbeResultEvent,
  type Observation,
  PROBE_RESULT_KIND,
  type ProbeResult,
} from '../event/probe-result-event.ts';
import type { ProbeTarget, Vantage } from '../event/schema.ts';
import {
  EVENT_TYPES,
  INCONCLUSIVE_REASONS,
  PLANES,
  PROBE_ERROR_CODE_PATTERN,
  PROBE_KINDS,
  PROBE_OUTCOMES,
  type ProbeErrorCode,
  VANTAGE_CLOUDS,
} from '../event/vocabulary.ts';
import { asArray, isRecord, type JsonRecord, readBoolean, readPath } from '../util/read.ts';
import { toIsoUtc } from '../util/time.ts';
import { InvalidInputError } from './errors.ts';
import type { FormatResult, InputFormat } from './input-format.ts';

const FORMAT = 'probe-result';
const ERROR_CODE = new RegExp(PROBE_ERROR_CODE_PATTERN);

// ---- validation of untrusted input -------------------------------------------------------------

function fail(path: string, problem: string): never {
  throw new InvalidInputError(FORMAT, path, problem);
}

function text(record: JsonRecord, key: string, path: string, options: { optional?: boolean } = {}): string {
  const value = record[key];
  if (typeof value === 'string' && value.length > 0) return value;
  if (options.optional && (value === undefined || value === null || value === '')) return '';
  return fail(`${path}.${key}`, 'is missing or not a non-empty string');
}

function oneOf<const T extends readonly string[]>(
  values: T,
  record: JsonRecord,
  key: string,
  path: string,
): T[number] {
  const value = record[key];
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T[number];
  return fail(`${path}.${key}`, `must be one of ${values.join(', ')}`);
}

function duration(value: unknown, path: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  return fail(path, 'must be a non-negative number or null');
}

function time(record: JsonRecord, key: string, path: string): string {
  return toIsoUtc(record[key]) ?? fail(`${path}.${key}`, 'is missing or not an ISO 8601 time');
}

function readTarget(value: unknown, path: string): ProbeTarget {
  if (!isRecord(value)) return fail(path, 'is missing or not an object');
  return {
    id: text(value, 'id', path),
    name: text(value, 'name', path, { optional: true }) || text(value, 'id', path),
    kind: oneOf(PROBE_KINDS, value, 'kind', path),
    address: text(value, 'address', path),
    control: readBoolean(value.control) ?? false,
  };
}

function readVantage(value: unknown, path: string): Vantage {
  if (!isRecord(value)) return fail(path, 'is missing or not an object');
  return {
    id: text(value, 'id', path),
    cloud: oneOf(VANTAGE_CLOUDS, value, 'cloud', path),
    region: text(value, 'region', path, { optional: true }),
  };
}

function readObservations(value: unknown, path: string): Record<string, Observation> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) return fail(path, 'must be an object');
  const observations: Record<string, Observation> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry === null || typeof entry === 'string' || typeof entry === 'boolean') observations[key] = entry;
    else if (typeof entry === 'number' && Number.isFinite(entry)) observations[key] = entry;
    else fail(`${path}.${key}`, 'must be a string, finite number, boolean or null');
  }
  return observations;
}

function readStrings(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    return fail(path, 'must be an array of strings');
  }
  return value as string[];
}

/** Validates an untrusted probe result; throws InvalidInputError naming the first bad field. */
export function parseProbeResult(value: unknown, path = 'result'): ProbeResult {
  if (!isRecord(value)) return fail(path, 'is not an object');
  const outcome = oneOf(PROBE_OUTCOMES, value, 'outcome', path);
  const reason =
    value.reason === null || value.reason === undefined
      ? null
      : oneOf(INCONCLUSIVE_REASONS, value, 'reason', path);
  const error = value.error === null || value.error === undefined ? null : value.error;
  if (error !== null && !(typeof error === 'string' && ERROR_CODE.test(error))) {
    fail(`${path}.error`, 'is not a known probe error code');
  }
  const phasesRecord = value.phases === undefined ? {} : value.phases;
  if (!isRecord(phasesRecord)) return fail(`${path}.phases`, 'must be an object');
  const phases = {
    dnsMs: duration(phasesRecord.dnsMs, `${path}.phases.dnsMs`),
    connectMs: duration(phasesRecord.connectMs, `${path}.phases.connectMs`),
    tlsMs: duration(phasesRecord.tlsMs, `${path}.phases.tlsMs`),
    firstByteMs: duration(phasesRecord.firstByteMs, `${path}.phases.firstByteMs`),
    totalMs: duration(phasesRecord.totalMs, `${path}.phases.totalMs`),
  };
  const errorDetail = value.errorDetail;
  if (errorDetail !== undefined && errorDetail !== null && typeof errorDetail !== 'string') {
    fail(`${path}.errorDetail`, 'must be a string or null');
  }
  return {
    kind: PROBE_RESULT_KIND,
    roundId: text(value, 'roundId', path),
    target: readTarget(value.target, `${path}.target`),
    vantage: readVantage(value.vantage, `${path}.vantage`),
    plane: oneOf(PLANES, value, 'plane', path),
    outcome,
    reason,
    startedAt: time(value, 'startedAt', path),
    finishedAt: time(value, 'finishedAt', path),
    latencyMs: duration(value.latencyMs, `${path}.latencyMs`),
    phases,
    error: error as ProbeErrorCode | null,
    errorDetail: typeof errorDetail === 'string' ? errorDetail : null,
    services: readStrings(value.services, `${path}.services`),
    regions: readStrings(value.regions, `${path}.regions`),
    observations: readObservations(value.observations, `${path}.observations`),
  };
}

/** Rebuilds a probe result from an already-normalized probe-result CloudEvent (a replay). */
function parseProbeCloudEvent(value: JsonRecord, path: string): ProbeResult {
  const data = value.data;
  if (!isRecord(data)) return fail(`${path}.data`, 'is missing or not an object');
  return parseProbeResult(
    {
      ...data,
      kind: PROBE_RESULT_KIND,
      startedAt: data.startedAt ?? data.updatedAt,
      finishedAt: data.updatedAt,
    },
    `${path}.data`,
  );
}

function isProbeRecord(value: unknown): boolean {
  return isRecord(value) && (value.kind === PROBE_RESULT_KIND || value.type === EVENT_TYPES.probeResult);
}

function listItems(document: unknown): unknown[] | undefined {
  if (Array.isArray(document)) return document;
  const results = readPath(document, 'results');
  return Array.isArray(results) ? results : undefined;
}

export const probeResultFormat: InputFormat = {
  id: 'probe',
  matches(document) {
    if (isProbeRecord(document)) return true;
    const items = listItems(document);
    return items !== undefined && items.length > 0 && isProbeRecord(items[0]);
  },
  normalize(document, context): FormatResult {
    const items = isProbeRecord(document) ? [document] : asArray(listItems(document));
    const path = (index: number) => (isProbeRecord(document) ? 'result' : `results[${index}]`);
    const events = items.map((item, index) => {
      const record = isRecord(item) ? item : {};
      const result =
        record.type === EVENT_TYPES.probeResult
          ? parseProbeCloudEvent(record, path(index))
          : parseProbeResult(item, path(index));
      return createProbeResultEvent(result, context.evidence);
    });
    return { events, notices: [] };
  },
};

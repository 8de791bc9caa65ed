/**
 * What `crosswatch ingest` reads from one file: a provider payload (anything `crosswatch normalize`
 * accepts), or crosswatch events as JSON lines (CloudEvents as `crosswatch normalize` and
 * `crosswatch probe --json` print them). A file is JSON lines when every non-empty line is a JSON
 * object and there are several lines, or its one line is a crosswatch event; then every line must
 * be a crosswatch event. Each payload or line is one input: its bytes go to the evidence archive and
 * its events point to them (`data.evidence`).
 *
 * A file is read whole before anything is ingested, so a bad line rejects the file, not half of it.
 */
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  type CrosswatchEvent,
  type ProviderCloudEvent,
  ProviderCloudEventSchema,
} from '../shared/event/schema.ts';
import { EVENT_TYPES } from '../shared/event/vocabulary.ts';
import { NormalizeError } from '../shared/ingest/errors.ts';
import { computeEvidence, normalizeText } from '../shared/ingest/normalize.ts';

export interface IngestInput {
  /** 1-based line number for JSON lines; null for a whole-file payload. */
  readonly line: number | null;
  readonly bytes: Uint8Array;
  readonly contentType: string;
  /** The input format (`azure-monitor-common`, `probe`, `event` for a provider event line…). */
  readonly format: string;
  readonly events: CrosswatchEvent[];
  /** Set when the payload is recognized but deliberately ignored (metric alerts…). */
  readonly ignored?: string;
  readonly notices: string[];
}

/** The file is not an input crosswatch can ingest; the message names the line and field when known. */
export class IngestInputError extends Error {
  override name = 'IngestInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const PROVIDER_TYPES: ReadonlySet<string> = new Set([
  EVENT_TYPES.providerIncident,
  EVENT_TYPES.resourceHealth,
]);

function registerFormats(): void {
  // TypeBox checks only formats it knows; these are the ones the event schema uses.
  if (!FormatRegistry.Has('date-time')) {
    FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)));
  }
  if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', (value) => URL.canParse(value));
  if (!FormatRegistry.Has('uri-reference')) {
    FormatRegistry.Set('uri-reference', (value) => URL.canParse(value, 'http://reference.invalid/'));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCrosswatchType(value: unknown): boolean {
  return isRecord(value) && typeof value.type === 'string' && value.type.startsWith('io.crosswatch.');
}

/** A provider event line, validated against schema v1, re-pointed at the line's own bytes. */
function readProviderEventLine(document: Record<string, unknown>, bytes: Uint8Array): ProviderCloudEvent {
  registerFormats();
  if (!Value.Check(ProviderCloudEventSchema, document)) {
    const first = Value.Errors(ProviderCloudEventSchema, document).First();
    const field = first?.path ? first.path.slice(1).replaceAll('/', '.') : 'event';
    throw new IngestInputError(
      `field ${field} ${first ? first.message.toLowerCase() : 'is invalid'} (not a schema v1 crosswatch event)`,
    );
  }
  const event = document as unknown as ProviderCloudEvent;
  return { ...event, data: { ...event.data, evidence: computeEvidence(bytes) } };
}

function readEventLine(document: Record<string, unknown>, bytes: Uint8Array, now: () => Date): IngestInput {
  if (document.type === EVENT_TYPES.probeResult) {
    const output = normalizeText(bytes, { now });
    return { line: null, bytes, contentType: 'application/cloudevents+json', ...output };
  }
  if (typeof document.type === 'string' && PROVIDER_TYPES.has(document.type)) {
    return {
      line: null,
      bytes,
      contentType: 'application/cloudevents+json',
      format: 'event',
      events: [readProviderEventLine(document, bytes)],
      notices: [],
    };
  }
  const type = typeof document.type === 'string' ? `type ${JSON.stringify(document.type)}` : 'no type';
  throw new IngestInputError(
    `not a crosswatch event (${type}); JSON lines must be events as crosswatch normalize or crosswatch probe --json print them`,
  );
}

function splitJsonLines(text: string): { line: number; text: string; value: unknown }[] | undefined {
  const lines: { line: number; text: string; value: unknown }[] = [];
  const raw = text.split('\n');
  for (let index = 0; index < raw.length; index++) {
    const lineText = (raw[index] ?? '').replace(/\r$/, '');
    if (lineText.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch {
      return undefined;
    }
    if (!isRecord(value)) return undefined;
    lines.push({ line: index + 1, text: lineText, value });
  }
  if (lines.length === 0) return undefined;
  if (lines.length === 1 && !isCrosswatchType(lines[0]?.value)) return undefined;
  return lines;
}

/** Reads one file's inputs; throws IngestInputError (or a NormalizeError) when the file is unusable. */
export function readIngestInputs(bytes: Uint8Array, now: () => Date): IngestInput[] {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = splitJsonLines(text);
  if (lines === undefined) {
    const output = normalizeText(bytes, { now });
    return [{ line: null, bytes, contentType: 'application/json', ...output }];
  }
  return lines.map(({ line, text: lineText, value }) => {
    const lineBytes = Buffer.from(lineText, 'utf8');
    try {
      return { ...readEventLine(value as Record<string, unknown>, lineBytes, now), line };
    } catch (error) {
      if (!(error instanceof IngestInputError) && !(error instanceof NormalizeError)) throw error;
      throw new IngestInputError(`line ${line}: ${error.message}`, { cause: error });
    }
  });
}

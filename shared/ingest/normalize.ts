/**
 * The ingest entry point: raw bytes or parsed JSON in, CloudEvents (schema v1) out.
 */
import type { Evidence } from '../event/schema.ts';
import type { Origin } from '../event/vocabulary.ts';
import { computeContentHash } from '../store/evidence-address.ts';
import { detectFormat } from './detect.ts';
import { InvalidJsonError } from './errors.ts';
import type { FormatResult } from './input-format.ts';

export interface NormalizeOptions {
  /** The clock; defaults to the system clock. Supplies receivedAt for inputs without times. */
  readonly now?: () => Date;
}

export interface NormalizeOutput extends FormatResult {
  readonly format: Origin;
}

export function computeEvidence(bytes: Uint8Array): Evidence {
  return {
    contentHash: computeContentHash(bytes),
    bytes: bytes.byteLength,
  };
}

/** Normalizes parsed JSON. `evidence` points to the raw bytes, when the caller has them. */
export function normalizeDocument(
  document: unknown,
  options: NormalizeOptions & { readonly evidence?: Evidence | null } = {},
): NormalizeOutput {
  const format = detectFormat(document);
  const receivedAt = (options.now ?? (() => new Date()))().toISOString();
  const result = format.normalize(document, { receivedAt, evidence: options.evidence ?? null });
  return { format: format.id, ...result };
}

/** Normalizes raw input text or bytes (UTF-8, an optional BOM is ignored). */
export function normalizeText(input: string | Uint8Array, options: NormalizeOptions = {}): NormalizeOutput {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  // A view, not a copy: Buffer.from(Uint8Array) would copy the whole payload.
  let text =
    typeof input === 'string'
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidJsonError(
      text.trim().length === 0
        ? 'input is empty, expected a JSON document'
        : `input is not valid JSON (${reason})`,
      { cause: error },
    );
  }
  return normalizeDocument(document, { ...options, evidence: computeEvidence(bytes) });
}

/**
 * The wire form of an inbox entry on a message queue (Azure Storage Queue, SQS): one JSON object
 * `{ "v": 1, "entry": InboxEntry }`. Queues cap message sizes (Azure Storage Queue 64 KiB after
 * base64, SQS 256 KiB) below the webhook's body limit, so a larger body is parked in the evidence
 * archive first (claim check: the archive is content-addressed by the same sha256 as the entry id,
 * and the pipeline archives the raw input there anyway) and the message carries the entry without
 * its body plus `"body": "evidence"`. Decoding fetches it back. A body that is not valid UTF-8 travels
 * as base64 (`entry.bodyEncoding: "base64"`), so the bytes that reach the pipeline, and its evidence,
 * are exactly the bytes received; the entry id is checked against them.
 */
import type { EvidenceArchive } from '../store/ports.ts';
import { isRecord } from '../util/read.ts';
import { computeInboxId, encodeInboxBody, type InboxEntry, readInboxEntryBytes } from './inbox.ts';

export const QUEUE_MESSAGE_VERSION = 1;

interface QueueMessage {
  readonly v: typeof QUEUE_MESSAGE_VERSION;
  readonly entry: InboxEntry | Omit<InboxEntry, 'body' | 'bodyEncoding'>;
  /** Present when the body lives in the evidence archive under `entry.id`. */
  readonly body?: 'evidence';
}

/** The queue message is not an inbox entry (poison): never retried into success. */
export class InvalidQueueMessageError extends Error {
  override name = 'InvalidQueueMessageError';
}

export interface EncodeOptions {
  /** The largest message text the queue takes, measured by `measure` (bytes). */
  readonly maxMessageBytes: number;
  /** How the queue counts a message (Azure: base64 length). Default: UTF-8 bytes. */
  readonly measure?: (text: string) => number;
  /** Where oversized bodies go; without one an oversized entry is refused. */
  readonly overflow?: EvidenceArchive;
}

/** The entry does not fit in one message and no overflow archive is configured. */
export class QueueMessageTooLargeError extends Error {
  override name = 'QueueMessageTooLargeError';
}

export async function encodeInboxMessage(entry: InboxEntry, options: EncodeOptions): Promise<string> {
  const measure = options.measure ?? ((text: string) => Buffer.byteLength(text, 'utf8'));
  const whole = JSON.stringify({ v: QUEUE_MESSAGE_VERSION, entry } satisfies QueueMessage);
  if (measure(whole) <= options.maxMessageBytes) return whole;
  if (!options.overflow) {
    throw new QueueMessageTooLargeError(
      `the entry needs ${measure(whole)} bytes, the queue takes ${options.maxMessageBytes}`,
    );
  }
  const record = await options.overflow.put(readInboxEntryBytes(entry), {
    contentType: entry.contentType,
    kind: `input:${entry.source}`,
  });
  if (record.contentHash !== entry.id) {
    throw new InvalidQueueMessageError('the archived body does not hash to the entry id');
  }
  const { body: _body, bodyEncoding: _encoding, ...rest } = entry;
  return JSON.stringify({ v: QUEUE_MESSAGE_VERSION, entry: rest, body: 'evidence' } satisfies QueueMessage);
}

function readEntryFields(
  value: unknown,
): Omit<InboxEntry, 'body' | 'bodyEncoding'> & { body?: unknown; bodyEncoding?: unknown } {
  if (!isRecord(value)) throw new InvalidQueueMessageError('the message has no entry object');
  const { id, receivedAt, source, contentType } = value;
  for (const [name, field] of Object.entries({ id, receivedAt, source, contentType })) {
    if (typeof field !== 'string' || field === '')
      throw new InvalidQueueMessageError(`entry.${name} is missing`);
  }
  return value as Omit<InboxEntry, 'body' | 'bodyEncoding'> & { body?: unknown; bodyEncoding?: unknown };
}

function parseMessage(message: unknown): unknown {
  if (typeof message !== 'string' && !(message instanceof Uint8Array)) return message;
  const text = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
  const trimmed = text.trim();
  const candidates = [trimmed];
  // A queue client that did not decode base64 hands over the encoded text.
  if (!trimmed.startsWith('{')) candidates.push(Buffer.from(trimmed, 'base64').toString('utf8'));
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  throw new InvalidQueueMessageError('the message is not JSON');
}

/**
 * Decodes a queue message (text, base64 text, bytes, or the object a Functions trigger already
 * parsed) into the entry; fetches an archived body. Throws InvalidQueueMessageError for poison.
 */
export async function decodeInboxMessage(
  message: unknown,
  options: { readonly overflow?: EvidenceArchive } = {},
): Promise<InboxEntry> {
  const parsed = parseMessage(message);
  if (!isRecord(parsed) || parsed.v !== QUEUE_MESSAGE_VERSION) {
    throw new InvalidQueueMessageError('the message is not a crosswatch inbox message (v1)');
  }
  const fields = readEntryFields(parsed.entry);
  const meta = {
    id: fields.id,
    receivedAt: fields.receivedAt,
    source: fields.source,
    contentType: fields.contentType,
  };
  if (parsed.body === 'evidence') {
    if (!options.overflow)
      throw new InvalidQueueMessageError('the body is archived but no archive is configured');
    const found = await options.overflow.get(fields.id);
    if (!found) throw new InvalidQueueMessageError(`the archived body ${fields.id} is missing`);
    return { ...meta, ...encodeInboxBody(found.bytes) };
  }
  if (typeof fields.body !== 'string') throw new InvalidQueueMessageError('entry.body is missing');
  if (fields.bodyEncoding !== undefined && fields.bodyEncoding !== 'base64') {
    throw new InvalidQueueMessageError('entry.bodyEncoding is not "base64"');
  }
  const body: Pick<InboxEntry, 'body' | 'bodyEncoding'> =
    fields.bodyEncoding === 'base64' ? { body: fields.body, bodyEncoding: 'base64' } : { body: fields.body };
  if (computeInboxId(readInboxEntryBytes(body)) !== fields.id) {
    throw new InvalidQueueMessageError('entry.body does not hash to entry.id');
  }
  return { ...meta, ...body };
}

/**
 * One POST through a `fetch` — the network stand-in a test or runtime gives the HTTP sinks
 * (guarded-post.ts checks the destination first; without a stand-in it connects pinned instead):
 * JSON body, redirects not followed, aborted by the attempt's signal (and by a backstop timeout),
 * body read up to a bound and redacted before it is cut (bounded-reply.ts). Network failures and
 * aborts become `transient` results with a redacted detail; never throws.
 */
import { clipRedacted, describeSafeError, type Redactor } from '../../observability/redact.ts';
import type { SendResult } from '../sink.ts';
import { computeReadLimit, finishReplyText, MAX_REPLY_BYTES } from './bounded-reply.ts';
import type { HttpReply } from './classify-http-reply.ts';

export { MAX_REPLY_BYTES } from './bounded-reply.ts';

/** A backstop when the caller's signal never fires (the outbox worker aborts much sooner). */
export const BACKSTOP_TIMEOUT_MS = 60_000;
export const USER_AGENT = 'crosswatch-notify/1';

export interface PostJsonRequest {
  readonly fetch: typeof fetch;
  readonly url: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly redact: Redactor;
}

export type PostJsonOutcome =
  | { readonly ok: true; readonly reply: HttpReply }
  | { readonly ok: false; readonly result: SendResult };

/**
 * Reads a body up to `maxBytes` plus the longest of the redactor's secrets (and some headroom),
 * cancels the rest, and returns it redacted and then cut to `maxBytes` characters.
 */
export async function readBoundedText(
  response: Response,
  redact: Redactor,
  maxBytes = MAX_REPLY_BYTES,
): Promise<string> {
  if (!response.body) return '';
  const limit = computeReadLimit(redact, maxBytes);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    truncated = size >= limit;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return finishReplyText(Buffer.concat(chunks).subarray(0, limit), truncated, redact, maxBytes);
}

/** The result for a request that got no answer: aborted, timed out, refused, DNS failure. */
export function describeNoReply(error: unknown, signal: AbortSignal, redact: Redactor): SendResult {
  if (signal.aborted) {
    return {
      outcome: 'transient',
      status: null,
      detail: 'no answer before the attempt was aborted (timeout or shutdown)',
    };
  }
  return {
    outcome: 'transient',
    status: null,
    detail: `request failed: ${describeSafeError(error, redact)}`,
  };
}

export async function postJson(request: PostJsonRequest): Promise<PostJsonOutcome> {
  const signal = AbortSignal.any([request.signal, AbortSignal.timeout(BACKSTOP_TIMEOUT_MS)]);
  try {
    const response = await request.fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal,
    });
    const body = await readBoundedText(response, request.redact);
    return { ok: true, reply: { status: response.status, headers: response.headers, body } };
  } catch (error) {
    return { ok: false, result: describeNoReply(error, signal, request.redact) };
  }
}

/** A short, single-line, redacted excerpt of a reply body for `detail` (redacted before it is cut). */
export function summarizeBody(body: string, redact: Redactor, max = 200): string {
  return clipRedacted(body.replace(/\s+/g, ' ').trim(), max, redact);
}

/**
 * One POST through `fetch` for the HTTP sinks: JSON body, redirects not followed, aborted by the
 * attempt's signal (and by a backstop timeout), body read up to a bound. Network failures and aborts
 * become `transient` results with a redacted detail; never throws.
 */
import { describeSafeError, type Redactor } from '../../observability/redact.ts';
import type { SendResult } from '../sink.ts';
import type { HttpReply } from './classify-http-reply.ts';

/** A backstop when the caller's signal never fires (the outbox worker aborts much sooner). */
export const BACKSTOP_TIMEOUT_MS = 60_000;
export const MAX_REPLY_BYTES = 8 * 1024;
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

/** Reads at most `maxBytes` of a body, then cancels the rest. */
export async function readBoundedText(response: Response, maxBytes = MAX_REPLY_BYTES): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
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
    const body = await readBoundedText(response);
    return { ok: true, reply: { status: response.status, headers: response.headers, body } };
  } catch (error) {
    return { ok: false, result: describeNoReply(error, signal, request.redact) };
  }
}

/** A short, single-line, redacted excerpt of a reply body for `detail`. */
export function summarizeBody(body: string, redact: Redactor, max = 200): string {
  const line = redact(body.replace(/\s+/g, ' ').trim());
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Turns an HTTP answer into a SendResult, the same way for every HTTP sink:
 *   2xx                                  → delivered
 *   429, or 503 with Retry-After         → retry-after (the header's delay, capped; a 429 without one
 *                                           gets the sink's throttle backoff)
 *   408, 425, 5xx                        → transient
 *   3xx                                  → permanent (redirects are never followed)
 *   every other 4xx (400, 401, 403, 404, 410, 413, 422 …) → permanent
 */
import type { SendResult } from '../sink.ts';
import { computeThrottleDelay, parseRetryAfter } from './retry-after.ts';

export interface HttpReply {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** The first few KB of the body, as text. */
  readonly body: string;
}

export interface ClassifyOptions {
  readonly now: Date;
  readonly attempt: number;
  /** Base of the backoff for a 429 without Retry-After (ms). */
  readonly throttleBaseMs: number;
  /** The words after the status in `detail` (already redacted). */
  readonly describe: string;
  readonly receipt?: string | null;
}

export function classifyHttpReply(reply: HttpReply, options: ClassifyOptions): SendResult {
  const { status } = reply;
  const detail = `HTTP ${status}${options.describe ? ` ${options.describe}` : ''}`;
  if (status >= 200 && status < 300) {
    return { outcome: 'delivered', status, receipt: options.receipt ?? null, detail };
  }
  const retryAfter = parseRetryAfter(reply.headers.get('retry-after'), options.now);
  if (status === 429) {
    const retryAfterMs = retryAfter ?? computeThrottleDelay(options.throttleBaseMs, options.attempt);
    return { outcome: 'retry-after', status, retryAfterMs, detail };
  }
  if (status === 503 && retryAfter !== null) {
    return { outcome: 'retry-after', status, retryAfterMs: retryAfter, detail };
  }
  if (status === 408 || status === 425 || status >= 500) return { outcome: 'transient', status, detail };
  if (status >= 300 && status < 400) {
    return { outcome: 'permanent', status, detail: `${detail} (redirect not followed)` };
  }
  return { outcome: 'permanent', status, detail };
}

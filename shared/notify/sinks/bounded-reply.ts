/**
 * The body of a sink's HTTP reply, read up to a bound and redacted before it is cut. Cutting first
 * would keep the first characters of a secret that straddles the bound (8,180 spaces and then the
 * secret leave its first 12 characters in the detail, the logs and the store), so the read goes on
 * past the bound by the length of the longest secret (and some headroom for pattern-shaped tokens):
 * every secret that starts before the bound is read whole, redacted whole, and only then cut. A tail
 * that is the start of a secret is dropped at the cut, and at the end of a read that stopped early.
 */
import { clipRedacted, type Redactor } from '../../observability/redact.ts';

/** How much of a reply a sink keeps (characters after redaction; the read bound is in bytes). */
export const MAX_REPLY_BYTES = 8 * 1024;
/** Read past the bound so a token matched by pattern (a URL, a JWT) is seen whole. */
export const REPLY_HEADROOM_BYTES = 1024;

/** How many bytes of a reply to read: the bound, plus the longest secret, plus the headroom. */
export function computeReadLimit(redact: Redactor, maxBytes = MAX_REPLY_BYTES): number {
  let longest = 0;
  for (const secret of redact.secrets ?? []) longest = Math.max(longest, Buffer.byteLength(secret));
  return maxBytes + longest + REPLY_HEADROOM_BYTES;
}

/**
 * What was read, as text: decoded (an incomplete character at a stopped read is dropped), redacted
 * whole, then cut to `maxChars`. `truncated`: the read stopped before the end of the reply.
 */
export function finishReplyText(
  bytes: Uint8Array,
  truncated: boolean,
  redact: Redactor,
  maxChars = MAX_REPLY_BYTES,
): string {
  const text = new TextDecoder('utf-8').decode(bytes, { stream: truncated });
  return clipRedacted(text, maxChars, redact, { ellipsis: '', truncated });
}

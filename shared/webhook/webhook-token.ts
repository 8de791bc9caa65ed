/**
 * Secret-token authentication (`?token=` in the URL, the only way an Azure action group webhook can
 * carry a credential). The presented token and every configured token are hashed to equal-length
 * SHA-256 digests and compared with crypto.timingSafeEqual, so a wrong length is just a mismatch
 * (401), never a RangeError (500), and the time taken does not depend on where the tokens differ.
 * Every configured token is compared (no early exit) so the position of a match is not observable.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function verifyWebhookToken(presented: string | null | undefined, tokens: readonly string[]): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || tokens.length === 0) return false;
  const candidate = digest(presented);
  let matched = false;
  for (const token of tokens) {
    if (timingSafeEqual(candidate, digest(token))) matched = true;
  }
  return matched;
}

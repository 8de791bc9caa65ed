/**
 * Standard Webhooks signature verification (standard-webhooks/standard-webhooks spec):
 * `webhook-id`, `webhook-timestamp` (unix seconds, within ±5 minutes) and `webhook-signature`, a
 * space-delimited list of `v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{raw body}` keyed with the
 * base64 secret after `whsec_`. Any listed signature may match (key rotation); comparisons are
 * constant-time; asymmetric `v1a` signatures are not accepted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const STANDARD_WEBHOOK_TOLERANCE_SECONDS = 300;

export interface StandardWebhookHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/** A `whsec_…` secret is not valid base64 of at least 16 bytes. */
export class StandardWebhookSecretError extends Error {
  override name = 'StandardWebhookSecretError';
}

/** The HMAC key bytes of a `whsec_<base64>` secret. */
export function decodeStandardWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new StandardWebhookSecretError('a Standard Webhooks secret must be whsec_ followed by base64');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.byteLength < 16)
    throw new StandardWebhookSecretError('a Standard Webhooks secret must hold ≥ 16 bytes');
  return key;
}

/** `v1,<base64>` for a message (what a sender puts in `webhook-signature`). */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: Uint8Array | string,
): string {
  const mac = createHmac('sha256', decodeStandardWebhookSecret(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}

export function verifyStandardWebhook(
  headers: StandardWebhookHeaders,
  body: Uint8Array,
  secrets: readonly string[],
  now: Date,
): boolean {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || secrets.length === 0) return false;
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > STANDARD_WEBHOOK_TOLERANCE_SECONDS) return false;
  const presented = signature
    .split(' ')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'));
  if (presented.length === 0) return false;
  let matched = false;
  for (const secret of secrets) {
    let key: Buffer;
    try {
      key = decodeStandardWebhookSecret(secret);
    } catch {
      continue;
    }
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
    for (const candidate of presented) {
      if (candidate.byteLength === expected.byteLength && timingSafeEqual(candidate, expected))
        matched = true;
    }
  }
  return matched;
}

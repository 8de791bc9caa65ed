/**
 * A destination's dedupe key from the incidentKey: the key itself when it fits, otherwise a stable
 * prefix plus `#` and 16 hex chars of its SHA-256 — the same incident always maps to the same key,
 * and two long keys with a common prefix still differ.
 */
import { createHash } from 'node:crypto';
import { sliceSafely } from './truncate-text.ts';

export function deriveBoundedKey(key: string, maxLength: number): string {
  if (key.length <= maxLength) return key;
  const suffix = `#${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  return sliceSafely(key, maxLength - suffix.length) + suffix;
}

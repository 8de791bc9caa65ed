/**
 * Where a piece of evidence lives: its content hash (`sha256:<hex>`) and the relative path every
 * evidence archive stores it under (`sha256/<first 2 hex>/<hex>`), so archives can be copied
 * between backends unchanged.
 */
import { createHash } from 'node:crypto';
import { StoreUsageError } from './ports.ts';

const CONTENT_HASH = /^sha256:([0-9a-f]{64})$/;

/** `sha256:<hex>` of the bytes (a string is hashed as its UTF-8 bytes): evidence and inbox ids. */
export function computeContentHash(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The hex digest of a `sha256:<hex>` content hash; StoreUsageError for anything else. */
export function parseContentHash(contentHash: string): string {
  const hex = CONTENT_HASH.exec(contentHash)?.[1];
  if (!hex) throw new StoreUsageError('invalid content hash: expected sha256:<64 lower-case hex>');
  return hex;
}

export function toEvidencePath(hex: string): string {
  return `sha256/${hex.slice(0, 2)}/${hex}`;
}

/** The metadata every archive requires of a put: a content type and a kind, both non-empty text. */
export function assertEvidenceMeta(meta: { readonly contentType: string; readonly kind: string }): void {
  if (
    typeof meta.contentType !== 'string' ||
    meta.contentType.length === 0 ||
    meta.contentType.length > 255
  ) {
    throw new StoreUsageError('evidence contentType must be 1..255 characters');
  }
  if (typeof meta.kind !== 'string' || meta.kind.length === 0 || meta.kind.length > 1024) {
    throw new StoreUsageError('evidence kind must be 1..1024 characters');
  }
}

/**
 * Document keys as UTF-16 big-endian bytes. The port orders keys by UTF-16 code unit (JavaScript's
 * `<`); a byte-wise comparison of UTF-16BE bytes gives exactly that order (UTF-8 bytes would not:
 * they order by code point, which puts U+FF5A before an emoji's surrogate pair), and every key of up
 * to 512 code units fits in 1,024 bytes (DynamoDB's sort-key limit). Lone surrogates survive too.
 */

export function encodeKeyBytes(key: string): Buffer {
  return Buffer.from(key, 'utf16le').swap16();
}

export function decodeKeyBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).swap16().toString('utf16le');
}

/**
 * The smallest byte string greater than every byte string that starts with `prefix` (the exclusive
 * upper bound of a prefix range), or undefined when there is none (an empty or all-0xFF prefix).
 */
export function toPrefixUpperBound(prefix: Uint8Array): Buffer | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const bound = Buffer.from(prefix.subarray(0, end));
  bound[end - 1] = (bound[end - 1] ?? 0) + 1;
  return bound;
}

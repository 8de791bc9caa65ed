/** Replaces control characters (C0, DEL, C1, line/paragraph separators) except those in `keep`. */
export function replaceControlCharacters(text: string, replacement: string, keep = ''): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    out += control && !keep.includes(char) ? replacement : char;
  }
  return out;
}

/**
 * Secret redaction for everything a sink says about itself: SendResult details, thrown errors and
 * log lines. Two layers: the exact secrets a sink was configured with (webhook URLs and their path
 * and query parts, routing keys, API keys, passwords, signing secrets — also URL-encoded), and a
 * pattern pass that keeps only the scheme and host of any URL and masks well-known token shapes.
 */

export const REDACTED = '[redacted]';
const MIN_SECRET_LENGTH = 4;

/** `https://hooks.slack.com/services/T0/B0/XYZ?x=1` → `https://hooks.slack.com/[redacted]`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hasMore = parsed.pathname.length > 1 || parsed.search !== '' || parsed.hash !== '';
    return `${parsed.protocol}//${parsed.host}${hasMore ? `/${REDACTED}` : ''}`;
  } catch {
    return REDACTED;
  }
}

/** The parts of a URL that can carry a secret: userinfo, path segments, query values, the whole. */
export function listUrlSecrets(url: string): string[] {
  const secrets = [url];
  try {
    const parsed = new URL(url);
    if (parsed.username) secrets.push(parsed.username, decodeURIComponent(parsed.username));
    if (parsed.password) secrets.push(parsed.password, decodeURIComponent(parsed.password));
    if (parsed.pathname.length > 1) secrets.push(parsed.pathname, decodeURIComponent(parsed.pathname));
    for (const segment of parsed.pathname.split('/')) {
      if (segment.length >= 8) secrets.push(segment, decodeURIComponent(segment));
    }
    if (parsed.search) secrets.push(parsed.search.slice(1));
    for (const value of parsed.searchParams.values()) secrets.push(value);
    if (parsed.hash.length > 1) secrets.push(parsed.hash.slice(1));
  } catch {
    // Not a URL: the whole string is the secret.
  }
  return secrets;
}

const URL_PATTERN = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#"'<>@]*@)?([^\s/?#"'<>]+)([^\s"'<>]*)/gi;
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bwhsec_[A-Za-z0-9+/=]+/g,
  /\bxox[abposr]-[A-Za-z0-9-]+/g,
  /\b(GenieKey|Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\b(routing_key|routingKey|integration_key|api[_-]?key|apiKey|password|passwd|pass|secret|client_secret|token|tokenid|access_token)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
  // A query string outside a full URL: Azure Functions keys (`?code=`), SAS signatures (`&sig=`).
  /([?&](?:code|sig)=)[^&#\s"']+/gi,
  // A JWT (Entra bearer tokens) anywhere in free text.
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
];

/** Masks URLs' userinfo, paths and queries, and well-known token shapes in free text. */
export function redactPatterns(text: string): string {
  let out = text.replace(
    URL_PATTERN,
    (_match, scheme: string, _userinfo: string | undefined, host: string, rest: string) => {
      return `${scheme}://${host}${rest && rest !== '/' ? `/${REDACTED}` : ''}`;
    },
  );
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (match: string, name?: string, separator?: string) => {
      if (pattern === TOKEN_PATTERNS[2] && name) return `${name} ${REDACTED}`;
      if (pattern === TOKEN_PATTERNS[3] && name && separator !== undefined)
        return `${name}${separator}${REDACTED}`;
      if (pattern === TOKEN_PATTERNS[4] && name) return `${name}${REDACTED}`;
      return match.startsWith('whsec_') ? `whsec_${REDACTED}` : REDACTED;
    });
  }
  return out;
}

/** Replaces secrets in free text; `secrets` lists the exact strings it replaces (for clipRedacted). */
export interface Redactor {
  (text: string): string;
  /** Every secret and its encoded forms, longest first (absent on a hand-made redactor). */
  readonly secrets?: readonly string[];
}

/** A redactor for the given secrets (exact and URL-encoded forms, longest first) plus the patterns. */
export function createRedactor(secrets: readonly (string | null | undefined)[]): Redactor {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  const ordered = [...variants]
    .filter((v) => v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  const redact = (text: string) => {
    let out = text;
    for (const secret of ordered) out = out.split(secret).join(REDACTED);
    return redactPatterns(out);
  };
  return Object.assign(redact, { secrets: ordered });
}

/** The longest tail of `text` (≥ 4 chars) that is the start of one of `secrets`, or of a `[redacted]`. */
function measurePartialSecret(text: string, secrets: readonly string[]): number {
  let drop = /[\uD800-\uDBFF]$/.test(text) ? 1 : 0;
  for (let length = Math.min(REDACTED.length - 1, text.length); length > drop; length--) {
    if (text.endsWith(REDACTED.slice(0, length))) {
      drop = length;
      break;
    }
  }
  for (const secret of secrets) {
    for (
      let length = Math.min(secret.length, text.length);
      length >= MIN_SECRET_LENGTH && length > drop;
      length--
    ) {
      if (text.endsWith(secret.slice(0, length))) {
        drop = length;
        break;
      }
    }
  }
  return drop;
}

/** Drops, again and again, a tail that is the start of a secret, a half `[redacted]` or a lone high surrogate. */
export function dropPartialSecret(text: string, secrets: readonly string[]): string {
  let out = text;
  for (let drop = measurePartialSecret(out, secrets); drop > 0; drop = measurePartialSecret(out, secrets)) {
    out = out.slice(0, out.length - drop);
  }
  return out;
}

export interface ClipOptions {
  /** Appended when the text is cut (default `…`); it counts towards `max`. */
  readonly ellipsis?: string;
  /** The text is already the start of something longer (a bounded read): its end is a cut too. */
  readonly truncated?: boolean;
}

/**
 * Redacts, then cuts: `text` redacted whole (exact secrets and patterns), then cut to at most `max`
 * characters — never the other way round, which would let a secret that straddles the cut through
 * as its first characters. The cut also drops a tail that is the start (≥ 4 characters) of a secret,
 * a half `[redacted]` marker and a lone high surrogate. `secrets` is the sink's redactor or its
 * secrets. Every place that shortens text that may hold a secret uses this.
 */
export function clipRedacted(
  text: string,
  max: number,
  secrets: Redactor | readonly (string | null | undefined)[],
  options: ClipOptions = {},
): string {
  const redact = typeof secrets === 'function' ? secrets : createRedactor(secrets);
  const redacted = redact(text);
  if (!options.truncated && redacted.length <= max) return redacted;
  const ellipsis = options.ellipsis ?? '…';
  const cut = redacted.slice(0, Math.max(0, max - ellipsis.length));
  return `${dropPartialSecret(cut, redact.secrets ?? [])}${ellipsis}`;
}

/** One line describing an error and its causes (message and code), redacted, at most 500 chars. */
export function describeSafeError(error: unknown, redact: Redactor): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const text = `${current.name === 'Error' ? '' : `${current.name}: `}${current.message}`;
      parts.push(typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return clipRedacted(parts.filter(Boolean).join(': ').replace(/\s+/g, ' ').trim(), 500, redact);
}

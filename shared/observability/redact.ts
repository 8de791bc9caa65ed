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

export type Redactor = (text: string) => string;

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
  return (text: string) => {
    let out = text;
    for (const secret of ordered) out = out.split(secret).join(REDACTED);
    return redactPatterns(out);
  };
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
  const line = redact(parts.filter(Boolean).join(': ').replace(/\s+/g, ' ').trim());
  return line.length > 500 ? `${line.slice(0, 499)}…` : line;
}

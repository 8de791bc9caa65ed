/**
 * Redaction for log lines and metric labels: secrets that travel in URLs (`?token=`, `?code=`,
 * `sig=`, `routing_key`), bearer tokens, Standard Webhooks secrets (`whsec_…`), Slack/Teams webhook
 * paths, and any literal secret the configuration names.
 */

const QUERY_SECRET =
  /([?&](?:token|tokenid|code|sig|key|apikey|api_key|secret|password|routing_key)=)[^&#\s"']+/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const WHSEC = /\bwhsec_[A-Za-z0-9+/=]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const SLACK_HOOK = /(hooks\.slack\.com\/services\/)[^\s"']+/gi;
const WEBHOOK_OFFICE = /(\.webhook\.office\.com\/)[^\s"']+/gi;
const LOGIC_APPS = /(\.logic\.azure\.com[^\s"']*?[?&]sig=)[^&\s"']+/gi;

/** Replaces every secret-looking part of `text` and every occurrence of a listed literal secret. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(QUERY_SECRET, '$1[redacted]')
    .replace(BEARER, '$1 [redacted]')
    .replace(WHSEC, 'whsec_[redacted]')
    .replace(JWT, '[redacted-jwt]')
    .replace(SLACK_HOOK, '$1[redacted]')
    .replace(WEBHOOK_OFFICE, '$1[redacted]')
    .replace(LOGIC_APPS, '$1[redacted]');
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

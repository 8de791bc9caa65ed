/**
 * Entra ID "secure webhook" bearer tokens (Azure Monitor action groups): a JWT signed by the tenant's
 * keys, validated with `jose` against the tenant's JWKS:
 * - signature with an RS256 key whose `kid` is in the JWKS (an unknown kid fails after jose's one
 *   refetch; `alg: none` and HMAC algorithms are rejected because only RS256 is allowed);
 * - `iss` is the tenant's v1 (`https://sts.windows.net/{tid}/`) or v2
 *   (`https://login.microsoftonline.com/{tid}/v2.0`) issuer, and `tid` (when present) is the tenant;
 * - `aud` is one of the configured audiences (the API's client id and/or `api://{clientId}`);
 * - `appid` (v1) or `azp` (v2) is an allowed application id (the "AZNS AAD Webhook" app
 *   461e8683-5575-4561-ac7f-899cc907d62a by default);
 * - `roles` contains `ActionGroupsSecureWebhook`;
 * - `exp` and `nbf` hold, with a small clock tolerance.
 * The verdict tells a bad token (`invalid`: 401) from a token that cannot be judged because the
 * tenant's keys cannot be had (`keys-unavailable`: the ingress answers 503 and the sender retries):
 * an Entra outage must not make crosswatch drop the alerts that report it. The keys are cached with
 * a stale-if-error window (entra-key-set.ts).
 * `jose` is imported lazily: only a request that carries a bearer token pays for it.
 */
import type { JWTVerifyGetKey } from 'jose';
import { createEntraKeySet, EntraKeysUnavailableError } from './entra-key-set.ts';

export const AZNS_WEBHOOK_APP_ID = '461e8683-5575-4561-ac7f-899cc907d62a';
export const SECURE_WEBHOOK_ROLE = 'ActionGroupsSecureWebhook';

export interface EntraWebhookConfig {
  /** The tenant (GUID) whose tokens are accepted. */
  readonly tenantId: string;
  /** Accepted `aud` values: the API's client id and/or `api://{clientId}`. */
  readonly audience: readonly string[];
  /** Accepted `appid`/`azp` values (default: the AZNS AAD Webhook application). */
  readonly allowedAppIds: readonly string[];
  /** Default `https://login.microsoftonline.com/{tenantId}/discovery/v2.0/keys`. */
  readonly jwksUrl?: string;
  /** Seconds of clock skew tolerated on exp/nbf (default 300). */
  readonly clockToleranceSeconds?: number;
}

/**
 * Resolves the verification key for a token header (jose's JWTVerifyGetKey): the runtime's cached
 * key set (createEntraKeySet), or a local JWKS in tests. An error it throws other than "no key
 * matches this token" means the keys are unavailable (503), not that the token is bad (401).
 */
export type EntraKeyResolver = JWTVerifyGetKey;

/** What a bearer token is: valid, refused (401), or not verifiable now because the keys are unavailable (503). */
export type EntraTokenVerdict =
  | { readonly kind: 'valid' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'keys-unavailable'; readonly reason: string };

export function resolveJwksUrl(config: EntraWebhookConfig): string {
  return config.jwksUrl ?? `https://login.microsoftonline.com/${config.tenantId}/discovery/v2.0/keys`;
}

/** Extracts the token of an `Authorization: Bearer …` header. */
export function readBearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(authorization);
  return match?.[1];
}

/**
 * For a caller that passes no resolver: one cached key set per URL for the life of the process
 * (the runtime passes its own, built with its fetch and clock).
 */
const defaultKeySets = new Map<string, JWTVerifyGetKey>();

function getDefaultKeySet(url: string): JWTVerifyGetKey {
  let keySet = defaultKeySets.get(url);
  if (!keySet) {
    keySet = createEntraKeySet({ url });
    defaultKeySets.set(url, keySet);
  }
  return keySet;
}

/** jose's verdicts on a token against keys that were fetched: the token is bad, the keys are fine. */
const TOKEN_KEY_ERRORS = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JWK_INVALID',
]);

/**
 * Tags every failure of the key resolver that is not a verdict on the token (a fetch that failed or
 * timed out, jose's JWKSTimeout/JWKSInvalid, a non-200 answer) as EntraKeysUnavailableError.
 */
function classifyKeyFailures(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (error instanceof EntraKeysUnavailableError) throw error;
      const code = (error as { code?: unknown })?.code;
      if (typeof code === 'string' && TOKEN_KEY_ERRORS.has(code)) throw error;
      const name = error instanceof Error ? error.name : 'error';
      throw new EntraKeysUnavailableError(`the Entra signing keys are unavailable (${name})`, {
        cause: error,
      });
    }
  };
}

function hasOwnString(payload: Record<string, unknown>, claim: string): string | undefined {
  const value = payload[claim];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `valid` when the token passes every check; `invalid` for any failure against keys that were
 * fetched (the caller answers 401 without saying which); `keys-unavailable` when the keys could not
 * be had. `reason` is a short code for the audit log.
 */
export async function verifyEntraWebhookToken(
  token: string,
  config: EntraWebhookConfig,
  options: { readonly now: Date; readonly keys?: EntraKeyResolver },
): Promise<EntraTokenVerdict> {
  const fail = (reason: string): EntraTokenVerdict => ({ kind: 'invalid', reason });
  const { jwtVerify } = await import('jose');
  const keys = classifyKeyFailures(options.keys ?? getDefaultKeySet(resolveJwksUrl(config)));
  const tenant = config.tenantId.toLowerCase();
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, keys, {
      algorithms: ['RS256'],
      audience: [...config.audience],
      issuer: [`https://sts.windows.net/${tenant}/`, `https://login.microsoftonline.com/${tenant}/v2.0`],
      clockTolerance: config.clockToleranceSeconds ?? 300,
      currentDate: options.now,
      requiredClaims: ['exp', 'iss', 'aud'],
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (error) {
    if (error instanceof EntraKeysUnavailableError)
      return { kind: 'keys-unavailable', reason: error.message };
    return fail((error as { code?: string }).code ?? 'ERR_JWT_INVALID');
  }
  const tid = hasOwnString(payload, 'tid');
  if (tid !== undefined && tid.toLowerCase() !== tenant) return fail('tenant');
  const appId = hasOwnString(payload, 'appid') ?? hasOwnString(payload, 'azp');
  const allowed = config.allowedAppIds.map((id) => id.toLowerCase());
  if (appId === undefined || !allowed.includes(appId.toLowerCase())) return fail('appid');
  const roles = payload.roles;
  if (!Array.isArray(roles) || !roles.includes(SECURE_WEBHOOK_ROLE)) return fail('roles');
  return { kind: 'valid' };
}

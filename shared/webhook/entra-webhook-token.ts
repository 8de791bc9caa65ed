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
 * `jose` is imported lazily: only a request that carries a bearer token pays for it.
 */
import type { JWTVerifyGetKey } from 'jose';

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

/** Resolves the verification key for a token header (jose's JWTVerifyGetKey), e.g. a local JWKS in tests. */
export type EntraKeyResolver = JWTVerifyGetKey;

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
 * Keeps one remote JWKS per URL for the life of the process (jose caches keys, refetches on an
 * unknown kid at most once per cooldown).
 */
const remoteKeySets = new Map<string, Promise<JWTVerifyGetKey>>();

async function getRemoteKeySet(url: string): Promise<JWTVerifyGetKey> {
  let keySet = remoteKeySets.get(url);
  if (!keySet) {
    keySet = import('jose').then(({ createRemoteJWKSet }) =>
      createRemoteJWKSet(new URL(url), { timeoutDuration: 3000, cooldownDuration: 30_000 }),
    );
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}

function hasOwnString(payload: Record<string, unknown>, claim: string): string | undefined {
  const value = payload[claim];
  return typeof value === 'string' ? value : undefined;
}

/**
 * True when the token passes every check; false for any failure (the caller answers 401 without
 * saying which). `reason` receives a short code for the audit log.
 */
export async function verifyEntraWebhookToken(
  token: string,
  config: EntraWebhookConfig,
  options: { readonly now: Date; readonly keys?: EntraKeyResolver; readonly reason?: (code: string) => void },
): Promise<boolean> {
  const fail = (code: string) => {
    options.reason?.(code);
    return false;
  };
  const { jwtVerify } = await import('jose');
  const keys = options.keys ?? (await getRemoteKeySet(resolveJwksUrl(config)));
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
    return fail((error as { code?: string }).code ?? 'ERR_JWT_INVALID');
  }
  const tid = hasOwnString(payload, 'tid');
  if (tid !== undefined && tid.toLowerCase() !== tenant) return fail('tenant');
  const appId = hasOwnString(payload, 'appid') ?? hasOwnString(payload, 'azp');
  const allowed = config.allowedAppIds.map((id) => id.toLowerCase());
  if (appId === undefined || !allowed.includes(appId.toLowerCase())) return fail('appid');
  const roles = payload.roles;
  if (!Array.isArray(roles) || !roles.includes(SECURE_WEBHOOK_ROLE)) return fail('roles');
  return true;
}

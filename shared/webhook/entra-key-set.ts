/**
 * The Entra tenant's signing keys (its JWKS) for secure-webhook tokens, fetched and cached here so
 * that an identity outage cannot turn valid alerts into 401s (action groups do not retry a 401, and
 * an Entra outage is exactly what crosswatch must be able to report):
 * - the key set is fetched on first use and kept; for `maxAgeMs` (default 10 min) it is used as is;
 * - after that it is still used while a refresh runs in the background, and when refreshes fail it
 *   stays in use up to `staleIfErrorMs` (default 24 h) after the last successful fetch: a JWKS blip
 *   refuses nothing that verifies against the cached keys;
 * - a token naming a kid the set lacks triggers one refetch (at most once per `cooldownMs`, default
 *   30 s, after a successful fetch): only a kid still unknown after a successful refetch is a bad
 *   token;
 * - when no usable key set can be had (connection refused, timeout after `timeoutMs`, a non-200
 *   answer, a body that is not a JWKS) the key resolver throws EntraKeysUnavailableError: the
 *   ingress answers 503 with Retry-After (retried by the sender), never 401. After a failed fetch
 *   the next one waits `retryAfterFailureMs` (default 5 s) so an outage does not cost every request
 *   a timeout.
 * `jose` is imported on the first fetch.
 */
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';

/** No usable key set could be fetched (network, timeout, HTTP status, not a JWKS). */
export class EntraKeysUnavailableError extends Error {
  override name = 'EntraKeysUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface EntraKeySetOptions {
  /** The tenant's JWKS URL (resolveJwksUrl). */
  readonly url: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Timeout of one fetch (default 3 s: the action group gives up after ~10 s). */
  readonly timeoutMs?: number;
  /** A key set younger than this is used without refreshing (default 10 min). */
  readonly maxAgeMs?: number;
  /** How long after its last successful fetch a key set is still used while refreshes fail (default 24 h). */
  readonly staleIfErrorMs?: number;
  /** At most one refetch for an unknown kid within this time after a successful fetch (default 30 s). */
  readonly cooldownMs?: number;
  /** After a failed fetch, the next one waits this long (default 5 s). */
  readonly retryAfterFailureMs?: number;
}

/** A jose key resolver over the cached key set; throws EntraKeysUnavailableError when it has no usable keys. */
export type EntraKeySet = JWTVerifyGetKey;

const MAX_JWKS_BYTES = 1024 * 1024;

interface FetchedKeys {
  readonly resolve: JWTVerifyGetKey;
  /** Epoch ms of the successful fetch. */
  readonly fetchedAt: number;
}

function isErrorCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown })?.code === code;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof cause === 'string') return cause;
  return error instanceof Error ? error.name : 'error';
}

/** One fetch: the JWKS as a jose local key set; EntraKeysUnavailableError for any failure. */
async function fetchKeySet(url: string, doFetch: typeof fetch, timeoutMs: number): Promise<JWTVerifyGetKey> {
  let text: string;
  try {
    const response = await doFetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new EntraKeysUnavailableError(`the Entra JWKS ${url} answered HTTP ${response.status}`);
    }
    text = await response.text();
  } catch (error) {
    if (error instanceof EntraKeysUnavailableError) throw error;
    throw new EntraKeysUnavailableError(
      `the Entra JWKS ${url} could not be fetched (${describeFailure(error)})`,
      { cause: error },
    );
  }
  if (text.length > MAX_JWKS_BYTES) {
    throw new EntraKeysUnavailableError(`the Entra JWKS ${url} is larger than ${MAX_JWKS_BYTES} bytes`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new EntraKeysUnavailableError(`the Entra JWKS ${url} is not JSON`, { cause: error });
  }
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) {
    throw new EntraKeysUnavailableError(`the Entra JWKS ${url} has no "keys" array`);
  }
  const { createLocalJWKSet } = await import('jose');
  try {
    return createLocalJWKSet(document as JSONWebKeySet);
  } catch (error) {
    throw new EntraKeysUnavailableError(`the Entra JWKS ${url} is not a valid key set`, { cause: error });
  }
}

export function createEntraKeySet(options: EntraKeySetOptions): EntraKeySet {
  const doFetch = options.fetch ?? globalThis.fetch;
  const clock = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const staleIfErrorMs = options.staleIfErrorMs ?? 24 * 60 * 60_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 5000;
  let current: FetchedKeys | undefined;
  let inFlight: Promise<FetchedKeys> | undefined;
  let lastFailure: { readonly at: number; readonly error: EntraKeysUnavailableError } | undefined;

  /** One fetch at a time; a fetch within `retryAfterFailureMs` of a failure fails at once. */
  const refresh = (): Promise<FetchedKeys> => {
    if (inFlight) return inFlight;
    const startedAt = clock().getTime();
    if (lastFailure && startedAt - lastFailure.at < retryAfterFailureMs) {
      return Promise.reject(lastFailure.error);
    }
    inFlight = fetchKeySet(options.url, doFetch, timeoutMs).then(
      (resolve) => {
        inFlight = undefined;
        lastFailure = undefined;
        current = { resolve, fetchedAt: clock().getTime() };
        return current;
      },
      (error: unknown) => {
        inFlight = undefined;
        const failure =
          error instanceof EntraKeysUnavailableError
            ? error
            : new EntraKeysUnavailableError(`the Entra JWKS ${options.url} could not be fetched`, {
                cause: error,
              });
        lastFailure = { at: clock().getTime(), error: failure };
        throw failure;
      },
    );
    return inFlight;
  };

  /** The keys to verify with: fresh ones, stale ones within the window (refreshed in the background), or a fetch. */
  const usableKeys = async (): Promise<FetchedKeys> => {
    const at = clock().getTime();
    if (current && at - current.fetchedAt < maxAgeMs) return current;
    if (current && at - current.fetchedAt < staleIfErrorMs) {
      refresh().catch(() => undefined);
      return current;
    }
    return refresh();
  };

  return async (header, token) => {
    const keys = await usableKeys();
    try {
      return await keys.resolve(header, token);
    } catch (error) {
      if (!isErrorCode(error, 'ERR_JWKS_NO_MATCHING_KEY')) throw error;
      // A key set fetched moments ago is authoritative: the kid is unknown.
      if (clock().getTime() - keys.fetchedAt < cooldownMs) throw error;
      // Maybe a rotated key: refetch once; when that fails the token cannot be judged (503, not 401).
      const refreshed = await refresh();
      return refreshed.resolve(header, token);
    }
  };
}

/**
 * Reads one secret from AWS Secrets Manager or SSM Parameter Store (SecureString, decrypted). Used on
 * AWS for the Azure service principal's client secret. Each client is imported lazily, only when a
 * secret of its kind is read (they cost ~90 ms of cold start each), and values are cached per
 * instance for `cacheMs` so a warm Lambda does not pay a round trip per invocation.
 */

export type SecretRef =
  /** A Secrets Manager secret (name or ARN); `jsonKey` picks one key of a JSON secret string. */
  | { readonly source: 'secrets-manager'; readonly secretId: string; readonly jsonKey?: string }
  /** An SSM parameter, read WithDecryption. */
  | { readonly source: 'ssm'; readonly name: string };

export interface ReadSecretOptions {
  readonly region?: string;
  /** A Secrets Manager / SSM compatible endpoint (tests). */
  readonly endpoint?: string;
  /** Static credentials (tests); the SDK's default chain otherwise. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly cacheMs?: number;
  readonly now?: () => number;
}

/** The secret does not exist, is empty, or its JSON key is missing. The message names the reference only. */
export class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
}

const cache = new Map<string, { readonly value: string; readonly expiresAt: number }>();

function describeRef(ref: SecretRef): string {
  return ref.source === 'ssm' ? `ssm:${ref.name}` : `secrets-manager:${ref.secretId}`;
}

function clientConfig(options: ReadSecretOptions) {
  return {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

async function fetchSecret(ref: SecretRef, options: ReadSecretOptions): Promise<string | undefined> {
  if (ref.source === 'ssm') {
    const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const client = new SSMClient(clientConfig(options));
    try {
      const result = await client.send(new GetParameterCommand({ Name: ref.name, WithDecryption: true }));
      return result.Parameter?.Value;
    } finally {
      client.destroy();
    }
  }
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient(clientConfig(options));
  try {
    const result = await client.send(new GetSecretValueCommand({ SecretId: ref.secretId }));
    const text = result.SecretString;
    if (text === undefined || ref.jsonKey === undefined) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new SecretUnavailableError(`${describeRef(ref)} is not a JSON secret`, { cause: error });
    }
    const value =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)[ref.jsonKey]
        : undefined;
    return typeof value === 'string' ? value : undefined;
  } finally {
    client.destroy();
  }
}

export async function readSecret(ref: SecretRef, options: ReadSecretOptions = {}): Promise<string> {
  const now = options.now ?? Date.now;
  const key = `${describeRef(ref)}#${ref.source === 'secrets-manager' ? (ref.jsonKey ?? '') : ''}`;
  const cached = cache.get(key);
  if (cached && cached.expiresAt > now()) return cached.value;
  const value = await fetchSecret(ref, options);
  if (value === undefined || value === '') {
    throw new SecretUnavailableError(`${describeRef(ref)} has no value`);
  }
  cache.set(key, { value, expiresAt: now() + (options.cacheMs ?? 5 * 60_000) });
  return value;
}

/** Forgets cached secrets (tests, rotation). */
export function clearSecretCache(): void {
  cache.clear();
}

/**
 * The environment form of the configuration (Azure app settings, Lambda environment): one
 * CROSSWATCH_* variable per commonly set setting, plus CROSSWATCH_CONFIG holding a whole JSON
 * document. Secrets arrive already resolved by the platform (Key Vault references in app settings;
 * Secrets Manager / SSM values resolved by the Lambda adapter before it calls loadConfig). A value
 * that is still an unresolved `@Microsoft.KeyVault(...)` reference is an error naming the variable.
 */

export type EnvValueType = 'string' | 'integer' | 'boolean' | 'list' | 'json';

export interface EnvSetting {
  readonly name: string;
  /** Dotted path in the config document. */
  readonly path: string;
  readonly type: EnvValueType;
}

/** Every supported variable (the table in docs/configuration.md is generated from this list). */
export const ENV_SETTINGS: readonly EnvSetting[] = [
  { name: 'CROSSWATCH_DATA_DIR', path: 'dataDir', type: 'string' },
  { name: 'CROSSWATCH_VANTAGE_ID', path: 'vantage.id', type: 'string' },
  { name: 'CROSSWATCH_VANTAGE_CLOUD', path: 'vantage.cloud', type: 'string' },
  { name: 'CROSSWATCH_VANTAGE_REGION', path: 'vantage.region', type: 'string' },
  { name: 'CROSSWATCH_SERVER_HOST', path: 'server.host', type: 'string' },
  { name: 'CROSSWATCH_SERVER_PORT', path: 'server.port', type: 'integer' },
  { name: 'CROSSWATCH_STORE_KIND', path: 'store.kind', type: 'string' },
  { name: 'CROSSWATCH_STORE_PATH', path: 'store.path', type: 'string' },
  { name: 'CROSSWATCH_STORE_CONNECTION_STRING', path: 'store.connectionString', type: 'string' },
  { name: 'CROSSWATCH_STORE_TABLE_NAME', path: 'store.tableName', type: 'string' },
  { name: 'CROSSWATCH_STORE_REGION', path: 'store.region', type: 'string' },
  { name: 'CROSSWATCH_EVIDENCE_KIND', path: 'evidence.kind', type: 'string' },
  { name: 'CROSSWATCH_EVIDENCE_PATH', path: 'evidence.path', type: 'string' },
  { name: 'CROSSWATCH_EVIDENCE_CONNECTION_STRING', path: 'evidence.connectionString', type: 'string' },
  { name: 'CROSSWATCH_EVIDENCE_CONTAINER', path: 'evidence.container', type: 'string' },
  { name: 'CROSSWATCH_EVIDENCE_BUCKET', path: 'evidence.bucket', type: 'string' },
  { name: 'CROSSWATCH_EVIDENCE_RETENTION_DAYS', path: 'evidence.retentionDays', type: 'integer' },
  { name: 'CROSSWATCH_PROBES_ENABLED', path: 'probes.enabled', type: 'boolean' },
  { name: 'CROSSWATCH_PROBES_CATALOG', path: 'probes.catalog', type: 'string' },
  { name: 'CROSSWATCH_PROBES_TARGETS_FILE', path: 'probes.targetsFile', type: 'string' },
  { name: 'CROSSWATCH_PROBES_SCHEDULE', path: 'probes.schedule', type: 'string' },
  { name: 'CROSSWATCH_PROBES_TIMEOUT_MS', path: 'probes.timeoutMs', type: 'integer' },
  { name: 'CROSSWATCH_PROBES_CONCURRENCY', path: 'probes.concurrency', type: 'integer' },
  { name: 'CROSSWATCH_TENANT_ID', path: 'probes.tenant.tenantId', type: 'string' },
  { name: 'CROSSWATCH_TENANT_DOMAIN', path: 'probes.tenant.tenantDomain', type: 'string' },
  { name: 'CROSSWATCH_STORAGE_ACCOUNT', path: 'probes.tenant.storageAccount', type: 'string' },
  { name: 'CROSSWATCH_REGIONS', path: 'probes.tenant.regions', type: 'list' },
  { name: 'CROSSWATCH_WEBHOOK_TOKENS', path: 'webhook.tokens', type: 'list' },
  { name: 'CROSSWATCH_WEBHOOK_SECRETS', path: 'webhook.standardWebhookSecrets', type: 'list' },
  { name: 'CROSSWATCH_WEBHOOK_MAX_BODY_BYTES', path: 'webhook.maxBodyBytes', type: 'integer' },
  {
    name: 'CROSSWATCH_WEBHOOK_ALLOWED_SUBSCRIPTION_IDS',
    path: 'webhook.allowedSubscriptionIds',
    type: 'list',
  },
  { name: 'CROSSWATCH_ENTRA_TENANT_ID', path: 'webhook.entra.tenantId', type: 'string' },
  { name: 'CROSSWATCH_ENTRA_AUDIENCE', path: 'webhook.entra.audience', type: 'list' },
  { name: 'CROSSWATCH_ENTRA_ALLOWED_APP_IDS', path: 'webhook.entra.allowedAppIds', type: 'list' },
  { name: 'CROSSWATCH_ENTRA_JWKS_URL', path: 'webhook.entra.jwksUrl', type: 'string' },
  { name: 'CROSSWATCH_PEERS', path: 'mesh.peers', type: 'json' },
  { name: 'CROSSWATCH_LOG_LEVEL', path: 'log.level', type: 'string' },
  { name: 'CROSSWATCH_LOG_FORMAT', path: 'log.format', type: 'string' },
];

/** Variables that are not settings but steer loading. */
export const CONFIG_ENV = { file: 'CROSSWATCH_CONFIG_FILE', document: 'CROSSWATCH_CONFIG' } as const;

/** A variable's text cannot be used as its setting's type. */
export class EnvValueError extends Error {
  override name = 'EnvValueError';
}

export function isUnresolvedSecretReference(value: string): boolean {
  return /^@Microsoft\.KeyVault\(/i.test(value.trim());
}

export function parseEnvValue(setting: EnvSetting, raw: string): unknown {
  if (isUnresolvedSecretReference(raw)) {
    throw new EnvValueError(
      'is an unresolved Key Vault reference (grant the app\'s managed identity "get" on the secret)',
    );
  }
  const text = raw.trim();
  switch (setting.type) {
    case 'string':
      return text;
    case 'integer':
      if (!/^-?\d+$/.test(text)) throw new EnvValueError('must be an integer');
      return Number(text);
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      throw new EnvValueError('must be true or false');
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        throw new EnvValueError('must be JSON (a list of peers: [{"id": …, "url": …, "secret": …}])');
      }
    case 'list':
      return text
        .split(/[,\s]+/)
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
  }
}

/** Sets a dotted path in a plain object, creating sections on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  keys.forEach((key, index) => {
    if (index === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
}

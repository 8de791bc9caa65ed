/**
 * The configuration document as the generated JSON Schema leaves it: unknown keys and bad values
 * rejected, defaults filled in. Each section's validator takes its part of this shape; a section
 * left out entirely gets its defaults through the schema too.
 */
import schemaDocument from '../../schema/crosswatch-config.schema.json' with { type: 'json' };
import type { Vantage } from '../event/schema.ts';
import type { ConfigFile } from './config-schema.ts';
import type { LogConfig } from './crosswatch-config.ts';
import { applySchema, type JsonSchemaNode } from './walk-json-schema.ts';

export type StoreInput = Record<string, unknown> & { kind: string };

export type EvidenceInput = Record<string, unknown> & { kind: string; retentionDays: number };

export interface ProbesInput {
  enabled: boolean;
  catalog: 'default' | 'none';
  targetsFile?: string;
  schedule: string;
  timeoutMs: number;
  concurrency: number;
  controls: boolean;
  tenant: { tenantId?: string; tenantDomain?: string; storageAccount?: string; regions: string[] };
}

export interface WebhookInput {
  tokens: string[];
  entra?: { tenantId: string; audience: string[]; allowedAppIds: string[]; jwksUrl?: string };
  standardWebhookSecrets: string[];
  maxBodyBytes: number;
  allowedSubscriptionIds: string[];
}

export interface CredentialsInput {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
}

export interface PollersInput {
  schedule: string;
  azureResourceHealth?: {
    enabled: boolean;
    subscriptionIds: string[];
    credentials?: CredentialsInput;
  };
  m365?: {
    enabled: boolean;
    credentials: CredentialsInput;
  };
  azureStatusFeed?: { enabled: boolean };
  awsHealth?: { enabled: boolean; view: 'account' | 'organization'; region: string };
}

export interface WatchdogInput {
  schedule: string;
}

export interface MeshInput {
  peers: { id: string; url?: string; secret?: string; statusUrl?: string; allowPrivate?: boolean }[];
}

export interface ConfigDocument {
  dataDir: string;
  vantage?: { id: string; cloud: Vantage['cloud']; region: string };
  server?: {
    host: string;
    port: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    maxConnections: number;
  };
  store?: StoreInput;
  evidence?: EvidenceInput;
  probes?: ProbesInput;
  engine?: unknown;
  notify?: unknown;
  webhook?: WebhookInput;
  pollers?: PollersInput;
  watchdog?: WatchdogInput;
  mesh?: MeshInput;
  log?: { level: LogConfig['level']; format: LogConfig['format'] };
}

/** Checks the whole document against the schema; throws SchemaViolation for the first problem. */
export function applyConfigSchema(value: unknown): ConfigDocument {
  const file = applySchema(schemaDocument as JsonSchemaNode, value ?? {}, '') as Required<ConfigFile> &
    Record<string, never>;
  return file as unknown as ConfigDocument;
}

/** The section as given, or (left out entirely) the schema's defaults for it. */
export function readSection<T>(name: string, given: T | undefined): T {
  return (
    given ??
    (applySchema(
      (schemaDocument.properties as Record<string, JsonSchemaNode>)[name] as JsonSchemaNode,
      {},
      name,
    ) as T)
  );
}

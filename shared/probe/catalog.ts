/**
 * The default catalog: Azure and Microsoft 365 targets tagged by plane, plus control targets outside
 * Microsoft. Per-tenant placeholders ({tenantId}, {tenantDomain}, {mxHost}, {storageAccount},
 * {region}) are filled from a config object; a target whose placeholder is not configured is left out
 * and listed as skipped. Users add targets and disable any of these by id in the targets file.
 */
import type { CatalogConfig, TargetSpec } from './target-types.ts';
import { parseTarget } from './targets-file.ts';
import { AZURE_STATUS_FEED_URL, buildEntraDiscoveryUrl } from './well-known-urls.ts';

export const CATALOG_PLACEHOLDERS = [
  'tenantId',
  'tenantDomain',
  'mxHost',
  'storageAccount',
  'region',
] as const;
export type CatalogPlaceholder = (typeof CATALOG_PLACEHOLDERS)[number];

/** A catalog entry: a targets-file entry whose strings may hold placeholders. */
type CatalogEntry = Record<string, unknown> & { id: string; kind: string; plane: string };

export const CONTROL_DNS_NAME = 'example.com';

/** The documented default catalog (docs/probes.md, "Default catalog"). */
export const DEFAULT_CATALOG: readonly CatalogEntry[] = [
  // DNS plane: names every Azure and Microsoft 365 user depends on, through the host's resolver.
  {
    id: 'dns-management-azure',
    kind: 'dns',
    plane: 'dns',
    name: 'management.azure.com',
    type: 'A',
    services: ['Azure Resource Manager'],
  },
  {
    id: 'dns-login-microsoftonline',
    kind: 'dns',
    plane: 'dns',
    name: 'login.microsoftonline.com',
    type: 'A',
    services: ['Microsoft Entra ID'],
  },
  {
    id: 'dns-outlook-office365',
    kind: 'dns',
    plane: 'dns',
    name: 'outlook.office365.com',
    type: 'A',
    services: ['Exchange Online'],
  },
  {
    id: 'dns-tenant-mx',
    kind: 'dns',
    plane: 'dns',
    name: '{tenantDomain}',
    type: 'MX',
    services: ['Exchange Online'],
  },
  {
    id: 'dns-tenant-mx-host',
    kind: 'dns',
    plane: 'dns',
    name: '{mxHost}',
    type: 'A',
    services: ['Exchange Online'],
  },
  {
    id: 'dns-storage-blob',
    kind: 'dns',
    plane: 'dns',
    name: '{storageAccount}.blob.core.windows.net',
    type: 'A',
    services: ['Storage'],
  },
  // Edge plane: portals behind Azure Front Door / the Microsoft edge (redirects to sign-in are healthy).
  {
    id: 'edge-portal-azure',
    kind: 'http',
    plane: 'edge',
    url: 'https://portal.azure.com/',
    services: ['Azure Portal'],
  },
  {
    id: 'edge-security-microsoft',
    kind: 'http',
    plane: 'edge',
    url: 'https://security.microsoft.com/',
    services: ['Microsoft Defender XDR'],
  },
  {
    id: 'edge-admin-microsoft',
    kind: 'http',
    plane: 'edge',
    url: 'https://admin.microsoft.com/',
    services: ['Microsoft 365 admin center'],
  },
  // Identity plane: Entra OpenID discovery and its keys.
  {
    id: 'identity-entra-common',
    kind: 'entra',
    plane: 'identity',
    url: buildEntraDiscoveryUrl('common'),
    services: ['Microsoft Entra ID'],
  },
  {
    id: 'identity-entra-tenant',
    kind: 'entra',
    plane: 'identity',
    url: 'https://login.microsoftonline.com/{tenantId}/v2.0/.well-known/openid-configuration',
    services: ['Microsoft Entra ID'],
  },
  // Control plane: ARM without a token answers 401 when it is healthy.
  {
    id: 'control-arm',
    kind: 'http',
    plane: 'control',
    url: 'https://management.azure.com/subscriptions?api-version=2022-12-01',
    expect: { status: [401] },
    services: ['Azure Resource Manager'],
  },
  {
    id: 'control-arm-{region}',
    kind: 'http',
    plane: 'control',
    url: 'https://{region}.management.azure.com/subscriptions?api-version=2022-12-01',
    expect: { status: [401] },
    services: ['Azure Resource Manager'],
    regions: ['{region}'],
  },
  // Data plane: the storage front end answers (any authorization error proves it is serving).
  {
    id: 'data-storage-blob',
    kind: 'http',
    plane: 'data',
    url: 'https://{storageAccount}.blob.core.windows.net/?comp=list',
    expect: { status: [200, 400, 401, 403, 404, 409] },
    services: ['Storage'],
  },
  {
    id: 'data-storage-blob-tls',
    kind: 'tls',
    plane: 'data',
    host: '{storageAccount}.blob.core.windows.net',
    port: 443,
    services: ['Storage'],
  },
  // Mail plane: Outlook on the web / EWS (401 without credentials) and the tenant's inbound SMTP.
  {
    id: 'mail-outlook-owa',
    kind: 'http',
    plane: 'mail',
    url: 'https://outlook.office365.com/owa/',
    services: ['Exchange Online'],
  },
  {
    id: 'mail-outlook-ews',
    kind: 'http',
    plane: 'mail',
    url: 'https://outlook.office365.com/EWS/Exchange.asmx',
    expect: { status: [401] },
    services: ['Exchange Online'],
  },
  {
    id: 'mail-tenant-smtp',
    kind: 'smtp',
    plane: 'mail',
    host: '{mxHost}',
    port: 25,
    services: ['Exchange Online'],
  },
  // Status plane: the public Azure status feed (an empty channel means no active incidents).
  {
    id: 'status-azure-feed',
    kind: 'feed',
    plane: 'status',
    url: AZURE_STATUS_FEED_URL,
    services: ['Azure status'],
  },
  // Control targets outside Microsoft: this vantage's own DNS and internet path.
  {
    id: 'ctl-dns-cloudflare',
    kind: 'dns',
    plane: 'control-target',
    control: true,
    name: CONTROL_DNS_NAME,
    type: 'A',
    resolvers: ['1.1.1.1'],
  },
  {
    id: 'ctl-dns-google',
    kind: 'dns',
    plane: 'control-target',
    control: true,
    name: CONTROL_DNS_NAME,
    type: 'A',
    resolvers: ['8.8.8.8'],
  },
  {
    id: 'ctl-dns-quad9',
    kind: 'dns',
    plane: 'control-target',
    control: true,
    name: CONTROL_DNS_NAME,
    type: 'A',
    resolvers: ['9.9.9.9'],
  },
  {
    id: 'ctl-https-cloudflare',
    kind: 'http',
    plane: 'control-target',
    control: true,
    url: 'https://www.cloudflare.com/cdn-cgi/trace',
  },
  {
    id: 'ctl-https-google',
    kind: 'http',
    plane: 'control-target',
    control: true,
    url: 'https://www.google.com/generate_204',
    expect: { status: [204] },
  },
];

export interface SkippedTarget {
  readonly id: string;
  readonly missing: readonly CatalogPlaceholder[];
}

export interface BuiltCatalog {
  readonly targets: readonly TargetSpec[];
  readonly skipped: readonly SkippedTarget[];
}

/** `contoso.com` → `contoso-com.mail.protection.outlook.com` (Exchange Online Protection). */
export function buildMxHost(tenantDomain: string): string {
  return `${tenantDomain.trim().toLowerCase().replace(/\./g, '-')}.mail.protection.outlook.com`;
}

function collectPlaceholders(value: unknown, found: Set<string>): void {
  if (typeof value === 'string') {
    for (const match of value.matchAll(/\{(\w+)\}/g)) if (match[1]) found.add(match[1]);
  } else if (Array.isArray(value)) for (const item of value) collectPlaceholders(item, found);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectPlaceholders(item, found);
}

function fill(value: unknown, values: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string')
    return value.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
  if (Array.isArray(value)) return value.map((item) => fill(item, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)]));
  }
  return value;
}

/**
 * Fills the catalog from `config`. A `{region}` entry is expanded once per configured region; an
 * entry needing a placeholder that is not configured is skipped (and listed).
 */
export function buildCatalog(
  config: CatalogConfig = {},
  entries: readonly CatalogEntry[] = DEFAULT_CATALOG,
): BuiltCatalog {
  const base: Record<string, string> = {};
  if (config.tenantId) base.tenantId = config.tenantId;
  if (config.tenantDomain) {
    base.tenantDomain = config.tenantDomain.trim().toLowerCase();
    base.mxHost = buildMxHost(config.tenantDomain);
  }
  if (config.storageAccount) base.storageAccount = config.storageAccount.trim().toLowerCase();
  const regions = (config.regions ?? []).map((region) => region.trim().toLowerCase()).filter(Boolean);
  const targets: TargetSpec[] = [];
  const skipped: SkippedTarget[] = [];
  entries.forEach((entry, index) => {
    const needed = new Set<string>();
    collectPlaceholders(entry, needed);
    const missing = [...needed].filter((key) =>
      key === 'region' ? regions.length === 0 : base[key] === undefined,
    ) as CatalogPlaceholder[];
    if (missing.length > 0) {
      skipped.push({ id: entry.id, missing });
      return;
    }
    const variants = needed.has('region') ? regions.map((region) => ({ ...base, region })) : [base];
    for (const values of variants) {
      targets.push(parseTarget(fill(entry, values), `catalog[${index}] (id "${entry.id}")`));
    }
  });
  return { targets, skipped };
}

/**
 * Combines catalog targets with a targets file: a file entry with a catalog id replaces it, `disable`
 * and `disabled: true` leave targets out.
 */
export function mergeTargets(
  catalog: readonly TargetSpec[],
  own: readonly TargetSpec[],
  disable: readonly string[] = [],
): TargetSpec[] {
  const replaced = new Set(own.map((target) => target.id));
  const off = new Set(disable);
  return [...catalog.filter((target) => !replaced.has(target.id)), ...own].filter(
    (target) => !target.disabled && !off.has(target.id),
  );
}

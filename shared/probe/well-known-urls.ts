/**
 * Microsoft's public endpoints the default catalog probes and the status poller reads. Kept apart
 * from the probes themselves so the catalog (and every runtime that resolves targets) does not load
 * the probe code or its XML parser.
 */

export const ENTRA_DEFAULT_BASE_URL = 'https://login.microsoftonline.com';

export const AZURE_STATUS_FEED_URL = 'https://rssfeed.azure.status.microsoft/en-us/status/feed/';

/** The v2.0 discovery URL for a tenant (id, domain, `common` or `organizations`). */
export function buildEntraDiscoveryUrl(tenant: string, baseUrl: string = ENTRA_DEFAULT_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
}

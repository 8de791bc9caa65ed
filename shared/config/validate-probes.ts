/** The `probes` section: the catalog's tenant placeholders, the targets file and the schedule. */
import type { CatalogConfig } from '../probe/target-types.ts';
import type { ProbesInput } from './config-document.ts';
import type { ProbesConfig } from './crosswatch-config.ts';
import { readSchedule, resolveAbsolutePath } from './setting-values.ts';

function readCatalogTenant(tenant: ProbesInput['tenant']): CatalogConfig {
  return {
    ...(tenant.tenantId ? { tenantId: tenant.tenantId } : {}),
    ...(tenant.tenantDomain ? { tenantDomain: tenant.tenantDomain } : {}),
    ...(tenant.storageAccount ? { storageAccount: tenant.storageAccount } : {}),
    ...(tenant.regions.length > 0 ? { regions: tenant.regions } : {}),
  };
}

export function validateProbes(probes: ProbesInput, cwd: string): ProbesConfig {
  const tenant = readCatalogTenant(probes.tenant);
  return {
    enabled: probes.enabled,
    catalog: probes.catalog,
    targetsFile: probes.targetsFile ? resolveAbsolutePath(probes.targetsFile, cwd) : null,
    schedule: readSchedule(probes.schedule, 'probes.schedule'),
    timeoutMs: probes.timeoutMs,
    concurrency: probes.concurrency,
    controls: probes.controls,
    tenant,
  };
}

import { describe, expect, it } from 'vitest';
import { buildCatalog, buildMxHost, DEFAULT_CATALOG, mergeTargets } from '../../../shared/probe/catalog.ts';
import { parseTarget } from '../../../shared/probe/targets-file.ts';

describe('default catalog', () => {
  it('without config keeps the tenant-free targets and lists the skipped ones with their placeholders', () => {
    const { targets, skipped } = buildCatalog();
    const ids = targets.map((target) => target.id);
    expect(ids).toContain('control-arm');
    expect(ids).toContain('identity-entra-common');
    expect(ids).not.toContain('mail-tenant-smtp');
    expect(skipped).toContainEqual({ id: 'mail-tenant-smtp', missing: ['mxHost'] });
    expect(skipped).toContainEqual({ id: 'identity-entra-tenant', missing: ['tenantId'] });
    expect(skipped).toContainEqual({ id: 'control-arm-{region}', missing: ['region'] });
    expect(targets.length + skipped.length).toBe(DEFAULT_CATALOG.length);
  });

  it('covers every plane and has control targets outside Microsoft', () => {
    const { targets } = buildCatalog({
      tenantId: 't',
      tenantDomain: 'contoso.com',
      storageAccount: 'acct',
      regions: ['eastus'],
    });
    expect(new Set(targets.map((target) => target.plane))).toEqual(
      new Set(['dns', 'edge', 'identity', 'control', 'data', 'mail', 'status', 'control-target']),
    );
    const controls = targets.filter((target) => target.control);
    expect(controls.length).toBeGreaterThanOrEqual(3);
    for (const control of controls) {
      const address = JSON.stringify(control);
      expect(address).not.toMatch(/microsoft|azure|office|outlook|windows\.net|live\.com/i);
    }
  });

  it('fills placeholders from config, one regional target per region', () => {
    const { targets, skipped } = buildCatalog({
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      tenantDomain: 'Contoso.com',
      storageAccount: 'contosodata',
      regions: ['eastus', 'westeurope'],
    });
    expect(skipped).toEqual([]);
    const byId = new Map(targets.map((target) => [target.id, target]));
    expect(byId.get('mail-tenant-smtp')).toMatchObject({
      host: 'contoso-com.mail.protection.outlook.com',
      port: 25,
    });
    expect(byId.get('dns-tenant-mx')).toMatchObject({ name: 'contoso.com', type: 'MX' });
    expect(byId.get('identity-entra-tenant')).toMatchObject({
      url: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration',
    });
    expect(byId.get('control-arm-eastus')).toMatchObject({
      url: 'https://eastus.management.azure.com/subscriptions?api-version=2022-12-01',
      regions: ['eastus'],
      expect: { status: [401] },
    });
    expect(byId.has('control-arm-westeurope')).toBe(true);
    expect(byId.get('data-storage-blob-tls')).toMatchObject({ host: 'contosodata.blob.core.windows.net' });
  });

  it('builds the Exchange Online Protection host from a domain', () => {
    expect(buildMxHost('contoso.co.uk')).toBe('contoso-co-uk.mail.protection.outlook.com');
  });

  it('lets a targets file replace, add and disable targets', () => {
    const { targets } = buildCatalog();
    const own = [
      parseTarget(
        {
          id: 'control-arm',
          kind: 'http',
          plane: 'control',
          url: 'https://management.azure.com/',
          expect: { status: [401, 403] },
        },
        'own[0]',
      ),
      parseTarget({ id: 'mine', kind: 'tcp', plane: 'data', host: 'db.example', port: 5432 }, 'own[1]'),
      parseTarget(
        {
          id: 'status-azure-feed',
          kind: 'feed',
          plane: 'status',
          url: 'https://x.example/feed',
          disabled: true,
        },
        'own[2]',
      ),
    ];
    const merged = mergeTargets(targets, own, ['edge-portal-azure']);
    const ids = merged.map((target) => target.id);
    expect(ids.filter((id) => id === 'control-arm')).toHaveLength(1);
    expect(merged.find((target) => target.id === 'control-arm')).toMatchObject({
      expect: { status: [401, 403] },
    });
    expect(ids).toContain('mine');
    expect(ids).not.toContain('edge-portal-azure');
    expect(ids).not.toContain('status-azure-feed');
  });
});

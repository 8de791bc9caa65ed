import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeEntra } from '../../../shared/probe/entra.ts';
import { buildEntraDiscoveryUrl } from '../../../shared/probe/well-known-urls.ts';
import { type Loopback, startHttpsServer } from '../../helpers/loopback-servers.ts';
import { createProbeContext, makeTarget } from '../../helpers/probe-context.ts';
import { createTestCa, type TestCa } from '../../helpers/test-ca.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
let ca: TestCa;
let server: Loopback;

beforeAll(async () => {
  ca = await createTestCa();
  const leaf = await ca.issue();
  server = await startHttpsServer({ cert: leaf.cert, key: leaf.key }, (request, response) => {
    const base = `https://127.0.0.1:${server.port}`;
    const path = request.url ?? '/';
    const json = (status: number, body: unknown) => {
      response.statusCode = status;
      response.setHeader('content-type', 'application/json');
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const tenant = path.split('/')[1] ?? '';
    if (path.endsWith('/v2.0/.well-known/openid-configuration')) {
      if (tenant === 'broken') return json(500, { error: 'server_error' });
      if (tenant === 'garbled') return json(200, '<html>not json</html>');
      if (tenant === 'no-jwks') return json(200, { issuer: `${base}/${tenant}/v2.0` });
      return json(200, {
        issuer: `${base}/${tenant}/v2.0`,
        authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
        jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
      });
    }
    if (path.endsWith('/discovery/v2.0/keys')) {
      if (tenant === 'empty-keys') return json(200, { keys: [] });
      return json(200, {
        keys: [
          { kty: 'RSA', kid: 'k1', use: 'sig', n: 'AQAB', e: 'AQAB' },
          { kty: 'RSA', kid: 'k2' },
        ],
      });
    }
    return json(404, { error: 'not found' });
  });
});
afterAll(async () => {
  await server.close();
});

const entraTarget = (tenant: string) =>
  makeTarget({ kind: 'entra', plane: 'identity', url: buildEntraDiscoveryUrl(tenant, server.url) });

describe('entra probe against a loopback HTTPS discovery server', () => {
  it('is up when the discovery document parses and the key set holds keys', async () => {
    const report = await probeEntra(entraTarget(TENANT), createProbeContext({ ca: ca.cert }));
    expect(report.outcome).toBe('up');
    expect(report.observations).toMatchObject({
      issuer: `${server.url}/${TENANT}/v2.0`,
      keyCount: 2,
      status: 200,
    });
    expect(report.phases.tlsMs).not.toBeNull();
    expect(report.latencyMs).toBe(report.phases.totalMs);
  });

  it('reports ENTRA_NO_KEYS for an empty key set', async () => {
    expect(await probeEntra(entraTarget('empty-keys'), createProbeContext({ ca: ca.cert }))).toMatchObject({
      outcome: 'down',
      error: 'ENTRA_NO_KEYS',
      observations: { keyCount: 0 },
    });
  });

  it('reports ENTRA_DISCOVERY_INVALID for a document that is not JSON or has no jwks_uri', async () => {
    for (const tenant of ['garbled', 'no-jwks']) {
      expect(
        await probeEntra(entraTarget(tenant), createProbeContext({ ca: ca.cert })),
        tenant,
      ).toMatchObject({
        outcome: 'down',
        error: 'ENTRA_DISCOVERY_INVALID',
      });
    }
  });

  it('keeps an HTTP failure of the discovery endpoint as its status', async () => {
    expect(await probeEntra(entraTarget('broken'), createProbeContext({ ca: ca.cert }))).toMatchObject({
      outcome: 'down',
      error: 'HTTP_500',
    });
  });

  it('builds the v2.0 discovery URL', () => {
    expect(buildEntraDiscoveryUrl('contoso.onmicrosoft.com')).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
    );
  });
});

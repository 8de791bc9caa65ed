import { createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTls } from '../../../shared/probe/tls.ts';
import { type Loopback, startTlsServer } from '../../helpers/loopback-servers.ts';
import { createProbeContext, makeTarget } from '../../helpers/probe-context.ts';
import { createTestCa, type TestCa } from '../../helpers/test-ca.ts';

const servers: Loopback[] = [];
let ca: TestCa;

beforeAll(async () => {
  ca = await createTestCa();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(options: Parameters<TestCa['issue']>[0]): Promise<Loopback> {
  const leaf = await ca.issue(options);
  const server = await startTlsServer({ cert: leaf.cert, key: leaf.key });
  servers.push(server);
  return server;
}

const target = (port: number, extra: Record<string, unknown> = {}) =>
  makeTarget({ kind: 'tls', host: '127.0.0.1', port, servername: 'localhost', ...extra });

describe('tls probe on loopback', () => {
  it('reports protocol, chain, days left and SNI for a valid certificate', async () => {
    const server = await serve({ validToDays: 90 });
    const report = await probeTls(target(server.port), createProbeContext({ ca: ca.cert }));
    expect(report.outcome).toBe('up');
    expect(report.observations).toMatchObject({
      authorized: true,
      sni: 'localhost',
      certSubject: 'localhost',
    });
    expect(String(report.observations.tlsProtocol)).toMatch(/^TLSv1\.[23]$/);
    expect(report.observations.certDaysLeft).toBeGreaterThanOrEqual(88);
    expect(report.phases.tlsMs).not.toBeNull();
  });

  it('maps each verification failure to its own code', async () => {
    const expired = await serve({ validFromDays: -100, validToDays: -2 });
    expect(await probeTls(target(expired.port), createProbeContext({ ca: ca.cert }))).toMatchObject({
      outcome: 'down',
      error: 'TLS_EXPIRED',
    });
    const notYet = await serve({ validFromDays: 3, validToDays: 300 });
    expect(await probeTls(target(notYet.port), createProbeContext({ ca: ca.cert }))).toMatchObject({
      outcome: 'down',
      error: 'TLS_NOT_YET_VALID',
    });
    const wrongName = await serve({ dnsNames: ['other.example'], ips: [] });
    expect(await probeTls(target(wrongName.port), createProbeContext({ ca: ca.cert }))).toMatchObject({
      outcome: 'down',
      error: 'TLS_HOSTNAME_MISMATCH',
    });
    const valid = await serve({});
    expect(await probeTls(target(valid.port), createProbeContext())).toMatchObject({
      outcome: 'down',
      error: 'TLS_UNTRUSTED',
    });
  });

  it('still reports the dates of an expired certificate', async () => {
    const expired = await serve({ validFromDays: -100, validToDays: -2 });
    const report = await probeTls(target(expired.port), createProbeContext({ ca: ca.cert }));
    expect(report.observations.certDaysLeft).toBeLessThan(0);
  });

  it('marks a certificate expiring below the threshold as degraded', async () => {
    const soon = await serve({ validToDays: 6 });
    const report = await probeTls(target(soon.port), createProbeContext({ ca: ca.cert }));
    expect(report).toMatchObject({ outcome: 'degraded', error: 'TLS_EXPIRING' });
    const relaxed = await probeTls(
      target(soon.port, { expect: { minCertDays: 2 } }),
      createProbeContext({ ca: ca.cert }),
    );
    expect(relaxed.outcome).toBe('up');
  });

  it('sends SNI: the server picks the certificate by name', async () => {
    const alpha = await ca.issue({ dnsNames: ['alpha.test'], ips: [] });
    const beta = await ca.issue({ dnsNames: ['beta.test'], ips: [] });
    const contexts = {
      'alpha.test': createSecureContext({ cert: alpha.cert, key: alpha.key }),
      'beta.test': createSecureContext({ cert: beta.cert, key: beta.key }),
    };
    const server = await startTlsServer({
      cert: alpha.cert,
      key: alpha.key,
      SNICallback: (name, callback) =>
        callback(null, contexts[name as keyof typeof contexts] ?? contexts['alpha.test']),
    });
    servers.push(server);
    const report = await probeTls(
      target(server.port, { servername: 'beta.test' }),
      createProbeContext({ ca: ca.cert }),
    );
    expect(report.outcome).toBe('up');
    expect(report.observations).toMatchObject({ sni: 'beta.test', certSubject: 'beta.test' });
  });
});

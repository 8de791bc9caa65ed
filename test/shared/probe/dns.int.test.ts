import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDns } from '../../../shared/probe/dns.ts';
import { type DnsBehavior, type DnsServer, startDnsServer } from '../../helpers/dns-server.ts';
import { createProbeContext, makeTarget } from '../../helpers/probe-context.ts';

let primary: DnsServer;
let secondary: DnsServer;

const ZONE: Record<string, DnsBehavior> = {
  'management.azure.test': {
    records: [
      { type: 'A', name: 'management.azure.test', ttl: 60, data: '192.0.2.10' },
      { type: 'A', name: 'management.azure.test', ttl: 60, data: '192.0.2.11' },
    ],
  },
  'contoso.test': {
    records: [
      {
        type: 'MX',
        name: 'contoso.test',
        ttl: 60,
        data: { preference: 0, exchange: 'contoso-test.mail.protection.outlook.com' },
      },
      {
        type: 'TXT',
        name: 'contoso.test',
        ttl: 60,
        data: ['v=spf1 include:spf.protection.outlook.com -all'],
      },
    ],
  },
  'portal.azure.test': {
    records: [{ type: 'CNAME', name: 'portal.azure.test', ttl: 60, data: 'portal.edge.test' }],
  },
  'big.azure.test': {
    truncateOverUdp: true,
    records: [{ type: 'A', name: 'big.azure.test', ttl: 60, data: '192.0.2.99' }],
  },
  'missing.azure.test': 'nxdomain',
  'broken.azure.test': 'servfail',
  'refused.azure.test': 'refused',
  'empty.azure.test': 'empty',
  'silent.azure.test': 'silence',
};

beforeAll(async () => {
  primary = await startDnsServer(ZONE);
  secondary = await startDnsServer({
    'management.azure.test': {
      records: [{ type: 'A', name: 'management.azure.test', ttl: 60, data: '192.0.2.11' }],
    },
    'contoso.test': {
      records: [
        {
          type: 'MX',
          name: 'contoso.test',
          ttl: 60,
          data: { preference: 10, exchange: 'contoso-test.mail.protection.outlook.com' },
        },
      ],
    },
    'portal.azure.test': {
      records: [{ type: 'CNAME', name: 'portal.azure.test', ttl: 60, data: 'hijacked.example' }],
    },
    'broken.azure.test': { records: [{ type: 'A', name: 'broken.azure.test', ttl: 60, data: '192.0.2.20' }] },
  });
});
afterAll(async () => {
  await Promise.all([primary.close(), secondary.close()]);
});

const dnsTarget = (name: string, type: string, resolvers: string[]) =>
  makeTarget({ kind: 'dns', plane: 'dns', name, type, resolvers });

describe('dns probe against a real DNS server on loopback (UDP)', () => {
  it('resolves A records and reports them', async () => {
    const report = await probeDns(
      dnsTarget('management.azure.test', 'A', [primary.address]),
      createProbeContext(),
    );
    expect(report.outcome).toBe('up');
    expect(report.observations.answers).toBe('192.0.2.10, 192.0.2.11');
    expect(report.observations.answerCount).toBe(2);
    expect(report.phases.dnsMs).not.toBeNull();
    expect(primary.queries.udp).toBeGreaterThan(0);
  });

  it('resolves MX, TXT and CNAME', async () => {
    const mx = await probeDns(dnsTarget('contoso.test', 'MX', [primary.address]), createProbeContext());
    expect(mx.observations.answers).toBe('0 contoso-test.mail.protection.outlook.com');
    const txt = await probeDns(dnsTarget('contoso.test', 'TXT', [primary.address]), createProbeContext());
    expect(txt.observations.answers).toContain('v=spf1');
    const cname = await probeDns(
      dnsTarget('portal.azure.test', 'CNAME', [primary.address]),
      createProbeContext(),
    );
    expect(cname.observations.answers).toBe('portal.edge.test');
  });

  it('gives NXDOMAIN, SERVFAIL, REFUSED and an empty answer distinct codes', async () => {
    const cases = [
      ['missing.azure.test', 'DNS_NXDOMAIN'],
      ['broken.azure.test', 'DNS_SERVFAIL'],
      ['refused.azure.test', 'DNS_REFUSED'],
      ['empty.azure.test', 'DNS_NODATA'],
    ] as const;
    for (const [name, code] of cases) {
      const report = await probeDns(dnsTarget(name, 'A', [primary.address]), createProbeContext());
      expect(report, name).toMatchObject({ outcome: 'down', error: code });
    }
  });

  it('reports a silent server as DNS_TIMEOUT when the probe times out', async () => {
    const report = await probeDns(
      dnsTarget('silent.azure.test', 'A', [primary.address]),
      createProbeContext({ timeoutMs: 400 }),
    );
    expect(report).toMatchObject({ outcome: 'down', error: 'DNS_TIMEOUT', aborted: true });
  });

  it('falls back to TCP when the UDP answer is truncated', async () => {
    const before = primary.queries.tcp;
    const report = await probeDns(dnsTarget('big.azure.test', 'A', [primary.address]), createProbeContext());
    expect(report.outcome).toBe('up');
    expect(report.observations.answers).toBe('192.0.2.99');
    expect(primary.queries.tcp).toBeGreaterThan(before);
  });

  it('compares answers across resolvers', async () => {
    const overlapping = await probeDns(
      dnsTarget('management.azure.test', 'A', [primary.address, secondary.address]),
      createProbeContext(),
    );
    expect(overlapping.outcome).toBe('up');
    // Same exchange with another preference: equivalent.
    const mx = await probeDns(
      dnsTarget('contoso.test', 'MX', [primary.address, secondary.address]),
      createProbeContext(),
    );
    expect(mx.outcome).toBe('up');
    const disjoint = await probeDns(
      dnsTarget('portal.azure.test', 'CNAME', [primary.address, secondary.address]),
      createProbeContext(),
    );
    expect(disjoint).toMatchObject({ outcome: 'degraded', error: 'DNS_MISMATCH' });
    expect(disjoint.observations[`resolver ${secondary.address}`]).toMatch(/^ok 1/);
  });

  it('is degraded, naming the failing resolver, when only some resolvers answer', async () => {
    const report = await probeDns(
      dnsTarget('broken.azure.test', 'A', [primary.address, secondary.address]),
      createProbeContext(),
    );
    expect(report).toMatchObject({ outcome: 'degraded', error: 'DNS_SERVFAIL' });
    expect(report.errorDetail).toContain(primary.address);
  });

  it('resolves through the system resolver', async () => {
    const report = await probeDns(dnsTarget('localhost', 'A', ['system']), createProbeContext());
    expect(report.outcome).toBe('up');
    expect(String(report.observations.answers)).toContain('127.0.0.1');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHttp } from '../../../shared/probe/http.ts';
import {
  findClosedPort,
  type Loopback,
  startHttpServer,
  startHttpsServer,
  startResettingServer,
  startSilentServer,
} from '../../helpers/loopback-servers.ts';
import { createProbeContext, makeTarget } from '../../helpers/probe-context.ts';
import { createTestCa, type TestCa } from '../../helpers/test-ca.ts';

const servers: Loopback[] = [];
let plain: Loopback;
let ca: TestCa;

beforeAll(async () => {
  ca = await createTestCa();
  plain = await startHttpServer((request, response) => {
    const path = request.url ?? '/';
    if (path === '/ok') {
      response.setHeader('x-azure-ref', '20260122T093000Z-abc');
      response.setHeader('x-ms-request-id', 'req-1');
      response.setHeader('server', 'loopback');
      response.end('<html>Azure status: all good</html>');
    } else if (path === '/unauthorized') {
      response.statusCode = 401;
      response.end('no token');
    } else if (path === '/bad-gateway') {
      response.statusCode = 502;
      response.end('upstream failed');
    } else if (path === '/slow') {
      setTimeout(() => response.end('late'), 150);
    } else if (path === '/big') {
      response.write(Buffer.alloc(200_000, 'a'));
      response.end('needle');
    } else if (path === '/redirect') {
      response.statusCode = 302;
      response.setHeader('location', '/ok');
      response.end();
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  servers.push(plain);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('http probe on loopback', () => {
  it('reports up with phase timings and the selected headers', async () => {
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${plain.url}/ok` }),
      createProbeContext(),
    );
    expect(report.outcome).toBe('up');
    expect(report.error).toBeNull();
    expect(report.observations).toMatchObject({
      status: 200,
      'x-azure-ref': '20260122T093000Z-abc',
      'x-ms-request-id': 'req-1',
      server: 'loopback',
    });
    expect(report.phases.dnsMs).toBeNull(); // an IP literal needs no resolution
    const { connectMs, firstByteMs, totalMs } = report.phases;
    expect(connectMs).not.toBeNull();
    expect(firstByteMs).toBeGreaterThanOrEqual(connectMs ?? 0);
    expect(totalMs).toBeGreaterThanOrEqual(firstByteMs ?? 0);
    expect(report.latencyMs).toBe(totalMs);
  });

  it('treats a 3xx as healthy by default and does not follow it', async () => {
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${plain.url}/redirect` }),
      createProbeContext(),
    );
    expect(report.outcome).toBe('up');
    expect(report.observations.status).toBe(302);
  });

  it('accepts an expected 401 (ARM without a token) and fails an unexpected one', async () => {
    const healthy = await probeHttp(
      makeTarget({ kind: 'http', url: `${plain.url}/unauthorized`, expect: { status: [401] } }),
      createProbeContext(),
    );
    expect(healthy.outcome).toBe('up');
    const unexpected = await probeHttp(
      makeTarget({ kind: 'http', url: `${plain.url}/unauthorized` }),
      createProbeContext(),
    );
    expect(unexpected).toMatchObject({ outcome: 'down', error: 'HTTP_401' });
  });

  it('keeps a 502 as HTTP_502', async () => {
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${plain.url}/bad-gateway` }),
      createProbeContext(),
    );
    expect(report).toMatchObject({ outcome: 'down', error: 'HTTP_502' });
  });

  it('checks a keyword and a regex in the body', async () => {
    const found = await probeHttp(
      makeTarget({
        kind: 'http',
        url: `${plain.url}/ok`,
        expect: { keyword: 'all good', regex: 'Azure\\s+status' },
      }),
      createProbeContext(),
    );
    expect(found.outcome).toBe('up');
    const missing = await probeHttp(
      makeTarget({ kind: 'http', url: `${plain.url}/ok`, expect: { keyword: 'outage' } }),
      createProbeContext(),
    );
    expect(missing).toMatchObject({ outcome: 'down', error: 'HTTP_KEYWORD_MISSING' });
    const unmatched = await probeHttp(
      makeTarget({ kind: 'http', url: `${plain.url}/ok`, expect: { regex: '^nothing$' } }),
      createProbeContext(),
    );
    expect(unmatched.error).toBe('HTTP_KEYWORD_MISSING');
  });

  it('reads at most maxBodyBytes and closes the connection', async () => {
    const report = await probeHttp(
      makeTarget({
        kind: 'http',
        url: `${plain.url}/big`,
        maxBodyBytes: 1024,
        expect: { keyword: 'needle' },
      }),
      createProbeContext(),
    );
    expect(report.observations.bodyBytes).toBe(1024);
    expect(report.observations.bodyTruncated).toBe(true);
    expect(report.error).toBe('HTTP_KEYWORD_MISSING'); // the needle is past the bound
  });

  it('marks a response slower than maxLatencyMs as degraded (HTTP_SLOW)', async () => {
    // The server waits 150 ms, so the probe cannot be faster than 10 ms on any machine.
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${plain.url}/slow`, expect: { maxLatencyMs: 10 } }),
      createProbeContext(),
    );
    expect(report).toMatchObject({ outcome: 'degraded', error: 'HTTP_SLOW' });
  });

  it('times out on a server that accepts and never answers, and settles on abort', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${silent.url}/` }),
      createProbeContext({ timeoutMs: 300 }),
    );
    expect(report).toMatchObject({ outcome: 'down', error: 'HTTP_TIMEOUT', aborted: true });
    expect(report.phases.connectMs).not.toBeNull();
  });

  it('reports a reset connection as TCP_RESET and a closed port as TCP_REFUSED', async () => {
    const resetting = await startResettingServer();
    servers.push(resetting);
    const reset = await probeHttp(
      makeTarget({ kind: 'http', url: `${resetting.url}/` }),
      createProbeContext(),
    );
    expect(reset).toMatchObject({ outcome: 'down', error: 'TCP_RESET' });
    const port = await findClosedPort();
    const refused = await probeHttp(
      makeTarget({ kind: 'http', url: `http://127.0.0.1:${port}/` }),
      createProbeContext(),
    );
    expect(refused).toMatchObject({ outcome: 'down', error: 'TCP_REFUSED' });
  });
});

describe('https probe with a test CA', () => {
  async function serve(options: Parameters<TestCa['issue']>[0]): Promise<Loopback> {
    const leaf = await ca.issue(options);
    const server = await startHttpsServer({ cert: leaf.cert, key: leaf.key }, (_request, response) =>
      response.end('ok'),
    );
    servers.push(server);
    return server;
  }

  it('verifies against the CA and reports TLS timing and certificate days left', async () => {
    const server = await serve({ validToDays: 200 });
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${server.url}/` }),
      createProbeContext({ ca: ca.cert }),
    );
    expect(report.outcome).toBe('up');
    expect(report.phases.tlsMs).toBeGreaterThanOrEqual(report.phases.connectMs ?? 0);
    expect(report.observations.certDaysLeft).toBeGreaterThanOrEqual(198);
    expect(report.observations.certDaysLeft).toBeLessThanOrEqual(200);
  });

  it('accepts a CA given on the target instead of the context', async () => {
    const server = await serve({});
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${server.url}/`, ca: ca.cert }),
      createProbeContext(),
    );
    expect(report.outcome).toBe('up');
  });

  it('reports an expired certificate as TLS_EXPIRED', async () => {
    const server = await serve({ validFromDays: -60, validToDays: -1 });
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${server.url}/` }),
      createProbeContext({ ca: ca.cert }),
    );
    expect(report).toMatchObject({ outcome: 'down', error: 'TLS_EXPIRED' });
  });

  it('reports a soon-to-expire certificate as degraded (TLS_EXPIRING)', async () => {
    const server = await serve({ validToDays: 5 });
    const report = await probeHttp(
      makeTarget({ kind: 'http', url: `${server.url}/` }),
      createProbeContext({ ca: ca.cert }),
    );
    expect(report).toMatchObject({ outcome: 'degraded', error: 'TLS_EXPIRING' });
    const lenient = await probeHttp(
      makeTarget({ kind: 'http', url: `${server.url}/`, expect: { minCertDays: 3 } }),
      createProbeContext({ ca: ca.cert }),
    );
    expect(lenient.outcome).toBe('up');
  });

  it('reports a wrong host name and an unknown issuer', async () => {
    const wrongName = await serve({ dnsNames: ['other.example'], ips: [] });
    const mismatch = await probeHttp(
      makeTarget({ kind: 'http', url: `${wrongName.url}/` }),
      createProbeContext({ ca: ca.cert }),
    );
    expect(mismatch).toMatchObject({ outcome: 'down', error: 'TLS_HOSTNAME_MISMATCH' });
    const valid = await serve({});
    const untrusted = await probeHttp(
      makeTarget({ kind: 'http', url: `${valid.url}/` }),
      createProbeContext(),
    );
    expect(untrusted).toMatchObject({ outcome: 'down', error: 'TLS_UNTRUSTED' });
  });
});

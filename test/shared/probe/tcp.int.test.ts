import { afterAll, describe, expect, it } from 'vitest';
import { probeTcp } from '../../../shared/probe/tcp.ts';
import { findClosedPort, type Loopback, startSilentServer } from '../../helpers/loopback-servers.ts';
import { createProbeContext, makeTarget } from '../../helpers/probe-context.ts';

const servers: Loopback[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('tcp probe on loopback', () => {
  it('reports the connect time of an open port', async () => {
    const server = await startSilentServer();
    servers.push(server);
    const report = await probeTcp(
      makeTarget({ kind: 'tcp', host: '127.0.0.1', port: server.port }),
      createProbeContext(),
    );
    expect(report.outcome).toBe('up');
    expect(report.phases.connectMs).not.toBeNull();
    expect(report.latencyMs).toBe(report.phases.connectMs);
    expect(report.observations.remoteAddress).toBe('127.0.0.1');
  });

  it('reports a refused connection', async () => {
    const port = await findClosedPort();
    const report = await probeTcp(makeTarget({ kind: 'tcp', host: '127.0.0.1', port }), createProbeContext());
    expect(report).toMatchObject({ outcome: 'down', error: 'TCP_REFUSED' });
  });

  it('reports TCP_TIMEOUT when aborted before the connection completes', async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await probeTcp(
      makeTarget({ kind: 'tcp', host: '127.0.0.1', port: 9 }),
      createProbeContext({ signal: controller.signal }),
    );
    expect(report).toMatchObject({ outcome: 'down', error: 'TCP_TIMEOUT', aborted: true });
  });

  it('resolves a host name and reports the DNS phase', async () => {
    const server = await startSilentServer();
    servers.push(server);
    // `localhost` may resolve to ::1 first; the probe reports resolution either way.
    const report = await probeTcp(
      makeTarget({ kind: 'tcp', host: 'localhost', port: server.port }),
      createProbeContext(),
    );
    expect(report.phases.dnsMs).not.toBeNull();
    expect(['up', 'down']).toContain(report.outcome);
    if (report.outcome === 'down') expect(report.error).toBe('TCP_REFUSED');
  });
});

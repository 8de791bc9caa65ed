import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeRound } from '../../../shared/probe/runner.ts';
import type { TargetSpec } from '../../../shared/probe/target-types.ts';
import { assertValidEvent } from '../../helpers/assert-valid-event.ts';
import { type DnsServer, startDnsServer } from '../../helpers/dns-server.ts';
import {
  findClosedPort,
  type Loopback,
  startHttpServer,
  startSilentServer,
} from '../../helpers/loopback-servers.ts';
import { makeTarget } from '../../helpers/probe-context.ts';

const VANTAGE = { id: 'test-vantage', cloud: 'local', region: '' } as const;
let healthy: Loopback;
let silent: Loopback;
let dnsSilent: DnsServer;
let closedPort: number;

beforeAll(async () => {
  healthy = await startHttpServer((request, response) => {
    response.statusCode = request.url === '/bad-gateway' ? 502 : 200;
    response.end('ok');
  });
  silent = await startSilentServer();
  dnsSilent = await startDnsServer({ 'example.test': 'silence' });
  closedPort = await findClosedPort();
});
afterAll(async () => {
  await Promise.all([healthy.close(), silent.close(), dnsSilent.close()]);
});

const http = (id: string, url: string, extra: Record<string, unknown> = {}) =>
  makeTarget({ kind: 'http', id, url, ...extra }) as TargetSpec;

describe('probe round deadline', () => {
  it('finishes 50 targets, 20 of which never answer, within the deadline plus a margin', async () => {
    const targets = Array.from({ length: 50 }, (_, index) =>
      index % 5 < 2 ? http(`hang-${index}`, `${silent.url}/`) : http(`ok-${index}`, `${healthy.url}/`),
    );
    const deadlineMs = 1500;
    const started = performance.now();
    const round = await runProbeRound(targets, {
      vantage: VANTAGE,
      timeoutMs: 30_000,
      deadlineMs,
      concurrency: 25,
    });
    const wallMs = performance.now() - started;
    // Generous bound on purpose (a noisy shared machine); the benchmark measures the real figure.
    expect(wallMs).toBeLessThan(deadlineMs + 2000);
    expect(round.results).toHaveLength(50);
    const hanging = round.results.filter((result) => result.target.id.startsWith('hang-'));
    expect(hanging).toHaveLength(20);
    for (const result of hanging)
      expect(result).toMatchObject({ outcome: 'inconclusive', reason: 'round-deadline' });
    expect(round.results.filter((result) => result.outcome === 'up')).toHaveLength(30);
    expect(round.summary.deadlineReached).toBe(true);
    expect(round.summary.counts).toEqual({ up: 30, down: 0, degraded: 0, inconclusive: 20 });
  });

  it('reports hanging targets as timeouts when the per-probe timeout comes first', async () => {
    const targets = [http('hang', `${silent.url}/`), http('ok', `${healthy.url}/`)];
    const round = await runProbeRound(targets, { vantage: VANTAGE, timeoutMs: 300, concurrency: 2 });
    expect(round.results[0]).toMatchObject({ outcome: 'down', error: 'HTTP_TIMEOUT', reason: null });
    expect(round.results[1]).toMatchObject({ outcome: 'up' });
    expect(round.summary.deadlineReached).toBe(false);
  });

  it('marks probes left unstarted by a caller abort as inconclusive (aborted)', async () => {
    const controller = new AbortController();
    controller.abort();
    const round = await runProbeRound([http('ok', `${healthy.url}/`)], {
      vantage: VANTAGE,
      signal: controller.signal,
    });
    expect(round.results[0]).toMatchObject({
      outcome: 'inconclusive',
      reason: 'aborted',
      error: 'PROBE_ABORTED',
    });
  });
});

describe('self-health gating', () => {
  const controls = () => [
    makeTarget({
      kind: 'dns',
      id: 'ctl-dns',
      control: true,
      name: 'example.test',
      resolvers: [dnsSilent.address],
    }),
    makeTarget({ kind: 'tcp', id: 'ctl-tcp', control: true, host: '127.0.0.1', port: closedPort }),
    http('ctl-https', `http://127.0.0.1:${closedPort}/`, { control: true }),
  ];
  const microsoft = () => [
    http('edge-portal', `http://127.0.0.1:${closedPort}/`, { plane: 'edge' }),
    http('control-arm', `${healthy.url}/bad-gateway`, { plane: 'control' }),
    makeTarget({ kind: 'tcp', id: 'mail-smtp', plane: 'mail', host: '127.0.0.1', port: closedPort }),
    http('identity-ok', `${healthy.url}/`, { plane: 'identity' }),
  ];

  it('with the control targets unreachable, reports no Microsoft target down', async () => {
    const round = await runProbeRound([...microsoft(), ...controls()], {
      vantage: VANTAGE,
      timeoutMs: 400,
      now: () => new Date('2026-01-22T09:30:00.000Z'),
    });
    expect(round.summary.controls).toEqual({ total: 3, failed: 3, healthy: false });
    const nonControl = round.results.filter((result) => !result.target.control);
    expect(nonControl.filter((result) => result.outcome === 'down')).toEqual([]);
    for (const id of ['edge-portal', 'control-arm', 'mail-smtp']) {
      const result = nonControl.find((item) => item.target.id === id);
      expect(result, id).toMatchObject({ outcome: 'inconclusive', reason: 'vantage-impaired' });
      expect(result?.error, id).not.toBeNull(); // the code is kept for the record
    }
    expect(nonControl.find((item) => item.target.id === 'identity-ok')?.outcome).toBe('up');
    // The controls themselves are reported as they are.
    expect(round.results.filter((result) => result.target.control).map((result) => result.error)).toEqual([
      'DNS_TIMEOUT',
      'TCP_REFUSED',
      'TCP_REFUSED',
    ]);
    expect(round.roundId).toBe('r-20260122T093000Z-test-vantage');
    for (const event of round.events) assertValidEvent(event);
    expect(round.events.find((event) => event.data.target.id === 'control-arm')?.data).toMatchObject({
      outcome: 'inconclusive',
      reason: 'vantage-impaired',
      error: 'HTTP_502',
      status: 'informational',
    });
  });

  it('keeps Microsoft failures down when the controls are healthy', async () => {
    const healthyControls = [
      http('ctl-a', `${healthy.url}/`, { control: true }),
      http('ctl-b', `${healthy.url}/`, { control: true }),
      makeTarget({ kind: 'tcp', id: 'ctl-c', control: true, host: '127.0.0.1', port: closedPort }),
    ];
    const round = await runProbeRound([...microsoft(), ...healthyControls], {
      vantage: VANTAGE,
      timeoutMs: 1000,
    });
    expect(round.summary.controls).toEqual({ total: 3, failed: 1, healthy: true });
    expect(round.results.find((result) => result.target.id === 'control-arm')).toMatchObject({
      outcome: 'down',
      error: 'HTTP_502',
      reason: null,
    });
    expect(round.summary.counts.down).toBe(4); // three Microsoft targets and the failing control
  });
});

describe('event-loop lag', () => {
  it('reports a failure during a stalled event loop as inconclusive (event-loop-lag), never down', async () => {
    const pending = runProbeRound([http('hang', `${silent.url}/`)], {
      vantage: VANTAGE,
      timeoutMs: 200,
      lagThresholdMs: 150,
    });
    // Starve the event loop (what a CPU-starved prober looks like): the probe's timer fires late.
    const until = performance.now() + 600;
    while (performance.now() < until) {
      // busy
    }
    const round = await pending;
    const [result] = round.results;
    expect(result).toMatchObject({ outcome: 'inconclusive', reason: 'event-loop-lag' });
    expect(Number(result?.observations.eventLoopLagMs)).toBeGreaterThan(150);
    expect(round.summary.inconclusive['event-loop-lag']).toBe(1);
  });
});

/**
 * One stuck sink delays no other, tried on the whole local runner (`crosswatch serve` in-process,
 * real SQLite inbox and store, real sinks over loopback HTTP): a webhook sink whose destination
 * accepts the request and never answers, a Slack sink (1 message/s) with a backlog of 15 messages,
 * and a healthy webhook sink. The healthy sink's latency from the 202 to its destination receiving
 * the notification is compared with a run where it is the only sink.
 *
 * Before the per-sink loops, the runner's background loop waited for every sink's pass: the healthy
 * sink's notifications waited for the hanging attempt's timeout (10 s) and the Slack backlog.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runServeCommand } from '../../../cli/serve-command.ts';
import type { LocalRunner } from '../../../functions/local/local-runner.ts';
import { captureIo } from '../../helpers/cli-harness.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';

const FIXTURE = new URL(
  '../../fixtures/azure-activity-log-webhook/service-health-incident-active.json',
  import.meta.url,
);
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const TOKEN = 'isolation-test-token-0123456789abcdef';
const BACKLOG = 15;
const MEASURED = 20;
const SPACING_MS = 150;

let dir: string;
const servers: Loopback[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-isolation-'));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

/** A destination that records when each incident's notification arrived (by tracking id). */
async function startRecordingDestination(arrivals: Map<string, number>): Promise<Loopback> {
  const server = await startHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      const text = Buffer.concat(chunks).toString('utf8');
      const trackingId = /ISO-\d{4}/.exec(text)?.[0];
      if (trackingId && !arrivals.has(trackingId)) arrivals.set(trackingId, at);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
  });
  servers.push(server);
  return server;
}

/** Accepts every request and never answers (the attempt ends at attemptTimeoutMs); counts them. */
async function startHangingDestination(received: { count: number }): Promise<Loopback> {
  const server = await startHttpServer((request) => {
    received.count++;
    request.resume();
  });
  servers.push(server);
  return server;
}

/** A runner in its own directory (its own data directory: the runs share no decisions). */
async function startRunner(sinks: readonly Record<string, unknown>[], name: string) {
  const cwd = join(dir, name);
  await mkdir(cwd);
  await writeFile(
    join(cwd, 'crosswatch.config.json'),
    JSON.stringify({
      webhook: { tokens: [TOKEN] },
      notify: { sinks, defaultRoute: { sinks: sinks.map((sink) => sink.name) } },
    }),
  );
  // A real clock: the Slack sink's pacing (and the outbox's timers) run on it.
  const harness = captureIo();
  const io = { ...harness.io, now: () => new Date() };
  const stop = new AbortController();
  let ready: (runner: LocalRunner) => void = () => undefined;
  const started = new Promise<LocalRunner>((resolve) => {
    ready = resolve;
  });
  const exit = runServeCommand(['--port', '0', '--no-probes'], io, {
    version: 'test',
    signal: stop.signal,
    onReady: (runner) => ready(runner),
    cwd,
  });
  const runner = await Promise.race([
    started,
    exit.then((code) => {
      throw new Error(`serve exited ${code}: ${harness.stderr()}`);
    }),
  ]);
  return { runner, stop, exit, harness };
}

/** Posts one Service Health incident with its own tracking id; resolves with the time of its 202. */
async function postIncident(url: string, template: string, trackingId: string): Promise<number> {
  const response = await fetch(`${url}/api/service-health?token=${TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: template.replace('0NIH-U2O', trackingId),
  });
  await response.arrayBuffer();
  if (response.status !== 202) throw new Error(`POST answered ${response.status}`);
  return performance.now();
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Posts BACKLOG incidents at once (queued for every sink: the Slack sink's backlog, the hanging
 * sink's first attempt in flight), then MEASURED more SPACING_MS apart; returns the healthy sink's
 * 202-to-arrival latencies of the measured ones.
 */
async function measureHealthyLatencies(withNeighbours: boolean) {
  const arrivals = new Map<string, number>();
  const slackArrivals = new Map<string, number>();
  const hangingRequests = { count: 0 };
  const healthy = await startRecordingDestination(arrivals);
  const sinks: Record<string, unknown>[] = [
    {
      name: 'healthy',
      kind: 'webhook',
      url: `${healthy.url}/hook`,
      secret: SECRET,
      allowInsecure: true,
      allowPrivate: true,
    },
  ];
  if (withNeighbours) {
    const hanging = await startHangingDestination(hangingRequests);
    const slack = await startRecordingDestination(slackArrivals);
    sinks.push(
      {
        name: 'hanging',
        kind: 'webhook',
        url: `${hanging.url}/hook`,
        secret: SECRET,
        allowInsecure: true,
        allowPrivate: true,
      },
      {
        name: 'slack',
        kind: 'slack',
        url: `${slack.url}/services/T000/B000/XXXX`,
        allowInsecure: true,
        allowPrivate: true,
      },
    );
  }
  const { runner, stop, exit } = await startRunner(sinks, withNeighbours ? 'together' : 'alone');
  const template = await readFile(FIXTURE, 'utf8');
  const ids = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `ISO-${String(from + i).padStart(4, '0')}`);
  try {
    await Promise.all(ids(0, BACKLOG).map((id) => postIncident(runner.info.url, template, id)));
    await waitFor(() => arrivals.size >= BACKLOG, 20_000);
    const accepted = new Map<string, number>();
    for (const id of ids(1000, MEASURED)) {
      accepted.set(id, await postIncident(runner.info.url, template, id));
      await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
    }
    await waitFor(() => [...accepted.keys()].every((id) => arrivals.has(id)), 30_000);
    return {
      latencies: [...accepted].map(([id, at]) => (arrivals.get(id) ?? Number.NaN) - at),
      slackReceived: slackArrivals.size,
      hangingRequests: hangingRequests.count,
    };
  } finally {
    stop.abort();
    expect(await exit).toBe(0);
  }
}

it('a hanging sink and a paced sink with a backlog do not delay a healthy sink', async () => {
  const alone = (await measureHealthyLatencies(false)).latencies;
  const neighbours = await measureHealthyLatencies(true);
  const together = neighbours.latencies;
  // The neighbours did misbehave meanwhile: the hanging destination held a request, and Slack's
  // 1/s pacing had not worked through its backlog of BACKLOG + MEASURED when the last one arrived.
  expect(neighbours.hangingRequests).toBeGreaterThan(0);
  expect(neighbours.slackReceived).toBeGreaterThan(0);
  expect(neighbours.slackReceived).toBeLessThan(BACKLOG + MEASURED);
  const p99Alone = percentile(alone, 99);
  const p99Together = percentile(together, 99);
  console.info(
    `healthy sink, 202 → delivered: p50 ${percentile(alone, 50).toFixed(0)} ms / p99 ${p99Alone.toFixed(0)} ms alone; ` +
      `p50 ${percentile(together, 50).toFixed(0)} ms / p99 ${p99Together.toFixed(0)} ms beside a hanging sink and a Slack backlog of ${BACKLOG}`,
  );
  // The acceptance bound of the issue (#11): within 100 ms of the single-sink run. Before the
  // per-sink loops the difference was seconds (the hanging attempt's 10 s timeout).
  expect(p99Together - p99Alone).toBeLessThan(100);
}, 120_000);

/**
 * Webhook ingest under load (issue [runtimes]): the local runner (`crosswatch serve` from the built
 * CLI bundle, a separate process) receives Azure Monitor Service Health alerts over HTTP from
 * autocannon, each answered 202 only once it is durable in the group-commit SQLite inbox (synchronous
 * FULL: the WAL is fsynced per commit) while the pipeline processes them in the background. Every
 * request carries a distinct body (the same update from another subscription), so nothing is
 * deduplicated away at the door.
 *
 * Peer, same run and same load: Prometheus Alertmanager (`/usr/bin/prometheus-alertmanager`, Debian
 * package prometheus-alertmanager; skipped with a notice when absent) receiving the equivalent alert
 * one per request (POST /api/v2/alerts), which it keeps in memory only.
 *
 * Floor: ≥ 1,000 req/s at p99 < 100 ms. Goal: crosswatch's durable rate ≥ Alertmanager's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { verdict } from './lib.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = 8;
const TOKEN = 'bench-token-0123456789abcdef0123';
const TEMPLATE_SUBSCRIPTION = 'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e';

interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
}

function subscriptionFor(index: number): string {
  return `${(index >>> 0).toString(16).padStart(8, '0')}-bb1b-cc2c-dd3d-eeeeee4e4e4e`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

async function runLoad(
  url: string,
  seconds: number,
  makeBody: (index: number) => string,
  counter: { next: number },
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const index = counter.next++;
          return { ...request, body: makeBody(index) };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function describe(name: string, result: LoadResult): string {
  return `  ${name.padEnd(34)} ${Math.round(result.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s   p50 ${result.p50Ms.toFixed(1).padStart(5)} ms   p99 ${result.p99Ms.toFixed(1).padStart(6)} ms   2xx ${result.ok}   non-2xx ${result.non2xx}   errors ${result.errors}`;
}

async function measureCrosswatch(
  dir: string,
): Promise<{ result: LoadResult; durable: number; batches: string } | null> {
  const bundle = join(ROOT, 'dist/cli/crosswatch.mjs');
  if (!existsSync(bundle)) {
    console.log('  crosswatch: the CLI bundle is missing (run `npm run build`): skipped');
    return null;
  }
  const parts = readServiceHealthTemplate().split(TEMPLATE_SUBSCRIPTION);
  const configPath = join(dir, 'crosswatch.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      probes: { enabled: false },
      webhook: { tokens: [TOKEN] },
      notify: { sinks: [{ kind: 'file', name: 'file', path: join(dir, 'notifications.jsonl') }] },
      log: { level: 'warn', format: 'json' },
    }),
  );
  const port = await freePort();
  const dataDir = join(dir, 'crosswatch-data');
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/crosswatch.mjs'),
      'serve',
      '--config',
      configPath,
      '--data',
      dataDir,
      '--port',
      String(port),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CROSSWATCH_CONFIG: '' } },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, child);
    const url = `${base}/api/service-health?token=${TOKEN}`;
    const counter = { next: 1 };
    const makeBody = (index: number) => parts.join(subscriptionFor(index));
    await runLoad(url, WARMUP_SECONDS, makeBody, counter);
    const result = await runLoad(url, MEASURE_SECONDS, makeBody, counter);
    const status = (await (await fetch(`${base}/api/status`)).json()) as {
      inbox: { commits: number; committedEntries: number };
    };
    const batches = `${status.inbox.committedEntries.toLocaleString('en-US')} entries in ${status.inbox.commits.toLocaleString('en-US')} fsynced commits (${(status.inbox.committedEntries / Math.max(1, status.inbox.commits)).toFixed(1)} per commit)`;
    // A crash right after the run (kill -9, no graceful shutdown): every 202 must still be on disk.
    await stop(child, 'SIGKILL');
    const inbox = new Database(join(dataDir, 'inbox.db'), { readonly: true });
    const durable = (inbox.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n;
    inbox.close();
    return { result, durable, batches };
  } finally {
    await stop(child, 'SIGKILL');
  }
}

function readServiceHealthTemplate(): string {
  return readFileSync(
    join(ROOT, 'test/fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json'),
    'utf8',
  );
}

async function measureAlertmanager(dir: string): Promise<LoadResult | null> {
  const document = JSON.parse(readServiceHealthTemplate()) as {
    data: { essentials: Record<string, string>; alertContext: { properties: Record<string, unknown> } };
  };
  const essentials = document.data.essentials;
  const properties = document.data.alertContext.properties as Record<string, string>;
  if (!existsSync(ALERTMANAGER)) {
    console.log(
      `  Alertmanager: ${ALERTMANAGER} not found (apt-get install prometheus-alertmanager): skipped`,
    );
    return null;
  }
  const configPath = join(dir, 'alertmanager.yml');
  writeFileSync(configPath, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await freePort();
  const child = spawn(
    ALERTMANAGER,
    [
      `--config.file=${configPath}`,
      `--storage.path=${join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/-/ready`, child);
    const url = `${base}/api/v2/alerts`;
    const counter = { next: 1 };
    // The same information as the Service Health payload, as Alertmanager labels and annotations.
    const makeBody = (index: number) =>
      JSON.stringify([
        {
          labels: {
            alertname: 'ServiceHealth',
            alertRule: essentials.alertRule,
            severity: essentials.severity,
            monitoringService: essentials.monitoringService,
            incidentType: properties.incidentType,
            trackingId: properties.trackingId,
            stage: properties.stage,
            communicationId: properties.communicationId,
            region: properties.region,
            service: properties.service,
            subscriptionId: subscriptionFor(index),
          },
          annotations: {
            title: properties.title,
            communication: properties.communication,
            defaultLanguageContent: properties.defaultLanguageContent,
            impactedServices: JSON.stringify(properties.impactedServices),
            impactStartTime: properties.impactStartTime,
            impactMitigationTime: properties.impactMitigationTime,
            description: essentials.description,
            alertId: essentials.alertId,
          },
          startsAt: essentials.firedDateTime,
        },
      ]);
    await runLoad(url, WARMUP_SECONDS, makeBody, counter);
    return await runLoad(url, MEASURE_SECONDS, makeBody, counter);
  } finally {
    await stop(child);
  }
}

export async function runIngestLoadBenchmarks(): Promise<boolean> {
  console.log(
    `ingest-load: webhook ingest under load, ${CONNECTIONS} connections, ${MEASURE_SECONDS} s after ${WARMUP_SECONDS} s warm-up`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-ingest-bench-'));
  try {
    const crosswatch = await measureCrosswatch(dir);
    const alertmanager = await measureAlertmanager(dir);
    if (crosswatch === null) return false;
    console.log(describe('crosswatch (durable, 202 after fsync)', crosswatch.result));
    console.log(
      `    inbox: ${crosswatch.batches}; after kill -9: ${crosswatch.durable.toLocaleString('en-US')} rows on disk for ${crosswatch.result.ok.toLocaleString('en-US')} 2xx (warm-up included in rows)`,
    );
    if (alertmanager) console.log(describe('Alertmanager 0.25 (in memory)', alertmanager));
    const floor = crosswatch.result.requestsPerSecond >= 1000 && crosswatch.result.p99Ms < 100;
    const allDurable = crosswatch.result.non2xx === 0 && crosswatch.durable >= crosswatch.result.ok;
    console.log(
      `  floor ≥ 1,000 req/s at p99 < 100 ms: ${verdict(floor)}; every 2xx durable (rows ≥ 2xx, no non-2xx): ${verdict(allDurable)}`,
    );
    if (alertmanager) {
      const ratio = crosswatch.result.requestsPerSecond / alertmanager.requestsPerSecond;
      const p99Ratio = crosswatch.result.p99Ms / Math.max(0.001, alertmanager.p99Ms);
      console.log(
        `  crosswatch / Alertmanager: ${ratio.toFixed(2)}× the rate, ${p99Ratio.toFixed(2)}× the p99 — goal ≥ 1.00× the rate: ${verdict(ratio >= 1)}`,
      );
    }
    return floor && allDurable;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

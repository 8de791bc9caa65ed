/**
 * Webhook ingest under load (issue [runtimes]): the local runner (`crosswatch serve` from the built
 * CLI bundle, a separate process) receives Azure Monitor Service Health alerts over HTTP from
 * autocannon, each answered 202 only once it is durable in the group-commit SQLite inbox (synchronous
 * FULL: the WAL is fsynced per commit) while the pipeline processes them in the background. Every
 * request carries a distinct body (the same update from another subscription), so nothing is
 * deduplicated away at the door. After each run the runner is killed (-9, no graceful shutdown) and
 * the inbox file must hold at least as many rows as there were 2xx answers.
 *
 * Peer, same run and same load: Prometheus Alertmanager (`/usr/bin/prometheus-alertmanager`, Debian
 * package prometheus-alertmanager; skipped with a notice when absent) receiving the equivalent alert
 * one per request (POST /api/v2/alerts), which it keeps in memory only.
 *
 * Three alternating runs (crosswatch, Alertmanager, crosswatch, …), each on a fresh process and data
 * directory, so machine noise hits both sides alike; the goals compare the medians. For context the
 * same run measures a bare fsync loop (4 KB write + fdatasync) on the same disk: the most commits per
 * second any durable store could make there.
 *
 * Floor: ≥ 1,000 req/s at p99 < 100 ms. Goals: crosswatch's durable rate ≥ 1.0× Alertmanager's, and
 * its p99 ≤ Alertmanager's.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { type GoalLine, median, verdict } from './lib.ts';
import { findFreePort, ROOT, startServe, stopChild, waitForHttp } from './runner-process.ts';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = 8;
const RUNS = 3;
const FSYNC_SECONDS = 2;
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

interface CrosswatchRun {
  readonly result: LoadResult;
  /** Rows in the inbox file after kill -9 (warm-up included). */
  readonly durable: number;
  readonly batches: string;
}

function subscriptionFor(index: number): string {
  return `${(index >>> 0).toString(16).padStart(8, '0')}-bb1b-cc2c-dd3d-eeeeee4e4e4e`;
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
  return `  ${name.padEnd(38)} ${Math.round(result.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s   p50 ${result.p50Ms.toFixed(1).padStart(5)} ms   p99 ${result.p99Ms.toFixed(1).padStart(6)} ms   2xx ${result.ok}   non-2xx ${result.non2xx}   errors ${result.errors}`;
}

/** Commits per second a bare loop makes on this disk: write 4 KB, fdatasync, again. */
function measureFsyncRate(dir: string): number {
  const path = join(dir, 'fsync-loop.bin');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 0x2a);
  let count = 0;
  const start = performance.now();
  try {
    while (performance.now() - start < FSYNC_SECONDS * 1000) {
      // Like a WAL: successive blocks of a file that is reused, not grown for ever.
      writeSync(fd, block, 0, block.length, (count % 256) * block.length);
      fdatasyncSync(fd);
      count++;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return count / ((performance.now() - start) / 1000);
}

function countInboxRows(dataDir: string): number {
  const inbox = new Database(join(dataDir, 'inbox.db'), { readonly: true });
  try {
    return (inbox.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n;
  } finally {
    inbox.close();
  }
}

/** The runner's group-commit figures from /api/status (for reading only: a failure is reported, not fatal). */
async function describeInboxBatches(base: string): Promise<string> {
  try {
    const response = await fetch(`${base}/api/status`);
    const status = (await response.json()) as { inbox?: { commits: number; committedEntries: number } };
    if (!status.inbox) return `inbox figures unavailable (/api/status answered ${response.status})`;
    const { commits, committedEntries } = status.inbox;
    return `${committedEntries.toLocaleString('en-US')} entries in ${commits.toLocaleString('en-US')} fsynced commits (${(committedEntries / Math.max(1, commits)).toFixed(1)} per commit)`;
  } catch (error) {
    return `inbox figures unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** One crosswatch run in `dir`; null when the CLI bundle is missing. */
async function measureCrosswatch(dir: string): Promise<CrosswatchRun | null> {
  const parts = readServiceHealthTemplate().split(TEMPLATE_SUBSCRIPTION);
  mkdirSync(dir, { recursive: true });
  const serve = await startServe(dir, {
    probes: { enabled: false },
    webhook: { tokens: [TOKEN] },
    notify: { sinks: [{ kind: 'file', name: 'file', path: join(dir, 'notifications.jsonl') }] },
    log: { level: 'warn', format: 'json' },
  });
  if (serve === null) return null;
  try {
    const url = `${serve.base}/api/service-health?token=${TOKEN}`;
    const counter = { next: 1 };
    const makeBody = (index: number) => parts.join(subscriptionFor(index));
    await runLoad(url, WARMUP_SECONDS, makeBody, counter);
    const result = await runLoad(url, MEASURE_SECONDS, makeBody, counter);
    const batches = await describeInboxBatches(serve.base);
    // A crash right after the run (kill -9, no graceful shutdown): every 202 must still be on disk.
    await stopChild(serve.child, 'SIGKILL');
    return { result, durable: countInboxRows(serve.dataDir), batches };
  } finally {
    await stopChild(serve.child, 'SIGKILL');
  }
}

function readServiceHealthTemplate(): string {
  return readFileSync(
    join(ROOT, 'test/fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json'),
    'utf8',
  );
}

/** One Alertmanager run in `dir` (the binary exists). */
async function measureAlertmanager(dir: string): Promise<LoadResult> {
  const document = JSON.parse(readServiceHealthTemplate()) as {
    data: { essentials: Record<string, string>; alertContext: { properties: Record<string, unknown> } };
  };
  const essentials = document.data.essentials;
  const properties = document.data.alertContext.properties as Record<string, string>;
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'alertmanager.yml');
  writeFileSync(configPath, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await findFreePort();
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
    await stopChild(child);
  }
}

function describeMedian(name: string, results: readonly LoadResult[]): string {
  const rate = median(results.map((result) => result.requestsPerSecond));
  const p50 = median(results.map((result) => result.p50Ms));
  const p99 = median(results.map((result) => result.p99Ms));
  return `  ${name.padEnd(38)} ${Math.round(rate).toLocaleString('en-US').padStart(7)} req/s   p50 ${p50.toFixed(1).padStart(5)} ms   p99 ${p99.toFixed(1).padStart(6)} ms`;
}

export async function runIngestLoadBenchmarks(): Promise<GoalLine[]> {
  console.log(
    `ingest-load: webhook ingest under load, ${CONNECTIONS} connections, ${MEASURE_SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${RUNS} alternating runs each`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-ingest-bench-'));
  const hasAlertmanager = existsSync(ALERTMANAGER);
  if (!hasAlertmanager)
    console.log(
      `  Alertmanager: ${ALERTMANAGER} not found (apt-get install prometheus-alertmanager): skipped`,
    );
  try {
    const fsyncsPerSecond = measureFsyncRate(dir);
    const crosswatch: CrosswatchRun[] = [];
    const alertmanager: LoadResult[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const ours = await measureCrosswatch(join(dir, `crosswatch-${run}`));
      if (ours === null) {
        console.log('  crosswatch: the CLI bundle is missing (run `npm run build`): skipped');
        return [
          { goal: 'ingest-load: ≥ 1,000 req/s at p99 < 100 ms', pass: false, skipped: true },
          { goal: 'ingest-load: every 2xx durable after kill -9', pass: false, skipped: true },
          { goal: 'ingest-load: rate ≥ 1.0× Alertmanager', pass: false, skipped: true },
          { goal: "ingest-load: p99 ≤ Alertmanager's", pass: false, skipped: true },
        ];
      }
      crosswatch.push(ours);
      console.log(describe(`crosswatch run ${run} (202 after fsync)`, ours.result));
      console.log(
        `    inbox: ${ours.batches}; after kill -9: ${ours.durable.toLocaleString('en-US')} rows on disk for ${ours.result.ok.toLocaleString('en-US')} 2xx (warm-up included in rows)`,
      );
      if (hasAlertmanager) {
        const peer = await measureAlertmanager(join(dir, `alertmanager-${run}`));
        alertmanager.push(peer);
        console.log(describe(`Alertmanager run ${run} (in memory)`, peer));
      }
    }
    const results = crosswatch.map((run) => run.result);
    const rate = median(results.map((result) => result.requestsPerSecond));
    const p99 = median(results.map((result) => result.p99Ms));
    console.log(describeMedian('crosswatch median', results));
    if (alertmanager.length > 0) console.log(describeMedian('Alertmanager median', alertmanager));
    console.log(
      `  bare fsync loop on the same disk (4 KB write + fdatasync): ${Math.round(fsyncsPerSecond).toLocaleString('en-US')} fsyncs/s`,
    );
    const floor = rate >= 1000 && p99 < 100;
    const allDurable = crosswatch.every((run) => run.result.non2xx === 0 && run.durable >= run.result.ok);
    console.log(
      `  floor ≥ 1,000 req/s at p99 < 100 ms: ${verdict(floor)}; every 2xx durable after kill -9 (rows ≥ 2xx, no non-2xx, every run): ${verdict(allDurable)}`,
    );
    const goals: GoalLine[] = [
      { goal: 'ingest-load: ≥ 1,000 req/s at p99 < 100 ms', pass: floor },
      { goal: 'ingest-load: every 2xx durable after kill -9', pass: allDurable },
    ];
    if (alertmanager.length === 0) {
      goals.push(
        { goal: 'ingest-load: rate ≥ 1.0× Alertmanager', pass: false, skipped: true },
        { goal: "ingest-load: p99 ≤ Alertmanager's", pass: false, skipped: true },
      );
      return goals;
    }
    const peerRate = median(alertmanager.map((result) => result.requestsPerSecond));
    const peerP99 = median(alertmanager.map((result) => result.p99Ms));
    const ratio = rate / peerRate;
    console.log(
      `  crosswatch / Alertmanager (medians): ${ratio.toFixed(2)}× the rate — goal ≥ 1.00×: ${verdict(ratio >= 1)}; p99 ${p99.toFixed(1)} ms vs ${peerP99.toFixed(1)} ms — goal ≤: ${verdict(p99 <= peerP99)}`,
    );
    goals.push(
      { goal: 'ingest-load: rate ≥ 1.0× Alertmanager', pass: ratio >= 1 },
      { goal: "ingest-load: p99 ≤ Alertmanager's", pass: p99 <= peerP99 },
    );
    return goals;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

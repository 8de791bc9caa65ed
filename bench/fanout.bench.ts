/**
 * Fan-out benchmark (issue [notify]): 1,000 notifying decisions routed to 3 loopback HTTP sinks
 * (the real Slack sink: Block Kit rendering + fetch, each to its own loopback server answering
 * `200 ok`) through the durable outbox on a SQLite file: enqueue (route, build the message, write
 * 3,000 delivery records and queue entries), then drain (claim with a lease, send, record the
 * receipt, per sink in order, the 3 sinks concurrently).
 *
 * Client-side rate limits are OFF for the bench sinks (Slack's 1/s would make this a 17-minute
 * sleep); pacing is covered by the tests on a fake clock.
 *
 * Printed: deliveries/s end to end, p50/p99 decision-to-delivery latency (delivery created → POST
 * answered, a burst of 1,000 decisions queued at once), and the floor measured in the same run:
 * the same 3,000 POSTs sent directly through the same sinks (per sink in order, sinks concurrently),
 * with no store at all. Target: the outbox within 4× of the floor's time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDecision, type Decision } from '../shared/engine/decision.ts';
import { createSink } from '../shared/notify/create-sink.ts';
import { listDeliveries } from '../shared/notify/dead-letters.ts';
import { enqueueNotifications } from '../shared/notify/enqueue-notifications.ts';
import { createNotificationMessage } from '../shared/notify/message.ts';
import { drainOutbox } from '../shared/notify/outbox-worker.ts';
import type { Sink } from '../shared/notify/sink.ts';
import { createSqliteStore } from '../shared/store/sqlite-store.ts';
import { type Loopback, startHttpServer } from '../test/helpers/loopback-servers.ts';
import { type GoalLine, verdict } from './lib.ts';

const DECISIONS = 1000;
const SINKS = 3;
const TARGET_RATIO = 4;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

function buildDecisions(): Decision[] {
  const base = Date.parse('2026-03-01T12:00:00.000Z');
  return Array.from({ length: DECISIONS }, (_, i) =>
    createDecision({
      kind: 'open',
      reason: null,
      suppressedKind: null,
      incidentKey: `azure:BENCH-${i}`,
      updateKey: `azure:BENCH-${i}:1:Active`,
      eventId: null,
      stale: false,
      decidedAt: new Date(base + i).toISOString(),
      eventTime: null,
      seq: 1,
      status: 'open',
      verdict: null,
      stage: 'Active',
      title: `Virtual Machines - West Europe - bench incident ${i}`,
      severity: 'error',
      provider: 'azure',
      category: 'incident',
    }),
  );
}

async function startSinks(): Promise<{ servers: Loopback[]; sinks: Sink[]; received: () => number }> {
  let count = 0;
  const servers: Loopback[] = [];
  for (let i = 0; i < SINKS; i++) {
    servers.push(
      await startHttpServer((request, response) => {
        request.resume();
        request.on('end', () => {
          count++;
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end('ok');
        });
      }),
    );
  }
  const sinks = servers.map((server, i): Sink => {
    const sink = createSink({
      kind: 'slack',
      name: `slack-${i}`,
      url: `${server.url}/services/T0/B${i}/bench`,
      allowInsecure: true,
      allowPrivate: true,
    });
    // Rate limits off for the benchmark (see the header).
    return { name: sink.name, kind: sink.kind, rateLimit: null, send: (m, c) => sink.send(m, c) };
  });
  return { servers, sinks, received: () => count };
}

async function runFloor(sinks: readonly Sink[], decisions: readonly Decision[]): Promise<number> {
  const messages = decisions.map((decision) => createNotificationMessage(decision, null));
  const start = performance.now();
  await Promise.all(
    sinks.map(async (sink) => {
      for (const [i, message] of messages.entries()) {
        const result = await sink.send(message, {
          deliveryId: `floor-${i}:${sink.name}`,
          attempt: 1,
          signal: AbortSignal.timeout(10_000),
        });
        if (result.outcome !== 'delivered') throw new Error(`floor send failed: ${result.detail}`);
      }
    }),
  );
  return performance.now() - start;
}

async function runOutbox(
  sinks: readonly Sink[],
  decisions: readonly Decision[],
  dir: string,
  round: number,
): Promise<{ enqueueMs: number; drainMs: number; latencies: number[] }> {
  const store = createSqliteStore({ path: join(dir, `fanout-${round}.db`) });
  try {
    const routing = { routes: [], defaultRoute: { sinks: sinks.map((sink) => sink.name), fallback: [] } };
    const start = performance.now();
    const enqueued = await enqueueNotifications(decisions, { store, routing });
    const enqueueMs = performance.now() - start;
    if (enqueued.created.length !== decisions.length * sinks.length)
      throw new Error('enqueue created the wrong count');
    const summary = await drainOutbox({ store, sinks });
    const drainMs = performance.now() - start - enqueueMs;
    if (summary.delivered !== decisions.length * sinks.length) {
      throw new Error(`drain delivered ${summary.delivered} of ${decisions.length * sinks.length}`);
    }
    const records = await listDeliveries(store);
    const latencies = records
      .map((record) => Date.parse(record.deliveredAt ?? '') - Date.parse(record.createdAt))
      .sort((a, b) => a - b);
    return { enqueueMs, drainMs, latencies };
  } finally {
    await store.close();
  }
}

export async function runFanoutBenchmarks(): Promise<GoalLine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-fanout-bench-'));
  const { servers, sinks, received } = await startSinks();
  try {
    const decisions = buildDecisions();
    // Warm up both paths (JIT, sockets), then alternate floor and outbox to share machine noise.
    await runFloor(sinks, decisions.slice(0, 50));
    await runOutbox(sinks, decisions.slice(0, 50), dir, 0);
    const rounds = 3;
    const floors: number[] = [];
    const outboxes: { enqueueMs: number; drainMs: number; latencies: number[] }[] = [];
    for (let round = 1; round <= rounds; round++) {
      floors.push(await runFloor(sinks, decisions));
      outboxes.push(await runOutbox(sinks, decisions, dir, round));
    }
    const totals = outboxes.map((run) => run.enqueueMs + run.drainMs);
    const ratios = totals.map((total, i) => total / (floors[i] ?? total));
    const middle =
      [...ratios.keys()].sort((a, b) => (ratios[a] ?? 0) - (ratios[b] ?? 0))[Math.floor(rounds / 2)] ?? 0;
    const floorMs = floors[middle] ?? 0;
    const run = outboxes[middle];
    if (!run) throw new Error('no outbox round');
    const totalMs = run.enqueueMs + run.drainMs;
    const ratio = ratios[middle] ?? 0;
    const deliveries = DECISIONS * SINKS;
    const rate = (ms: number) => `${Math.round(deliveries / (ms / 1000)).toLocaleString('en-US')}/s`;
    console.log(
      `fanout — ${DECISIONS.toLocaleString('en-US')} decisions × ${SINKS} loopback Slack sinks through the SQLite outbox (rate limits off)`,
    );
    console.log(
      `  floor: ${deliveries.toLocaleString('en-US')} POSTs sent directly      ${rate(floorMs)} (${floorMs.toFixed(0)} ms)`,
    );
    console.log(
      `  outbox: enqueue ${run.enqueueMs.toFixed(0)} ms + drain ${run.drainMs.toFixed(0)} ms   ${rate(totalMs)} end to end (drain alone ${rate(run.drainMs)})`,
    );
    console.log(
      `  decision-to-delivery latency (burst of ${DECISIONS.toLocaleString('en-US')}): p50 ${percentile(run.latencies, 50)} ms, p99 ${percentile(run.latencies, 99)} ms`,
    );
    const pass = ratio <= TARGET_RATIO;
    console.log(
      `  ratio ${ratio.toFixed(2)}× the floor's time, median of ${rounds} rounds (target ≤ ${TARGET_RATIO}×)  ${verdict(pass)}`,
    );
    if (received() < deliveries * rounds * 2) throw new Error('the loopback sinks received too few requests');
    return [{ goal: `fanout: outbox ≤ ${TARGET_RATIO}× the floor's time`, pass }];
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

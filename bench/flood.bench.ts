/**
 * Flood (issue [throughput]): what a new alert costs when it arrives behind a flood.
 *
 * Runner part: `crosswatch serve` (the built CLI, a separate process) accepts 20,000 duplicate-heavy
 * Service Health webhooks — 10 publications of one incident × 2,000 subscriptions, every body
 * distinct, shuffled — then NEW_ALERTS new incidents are posted SPACING_MS apart while the backlog
 * still drains. Printed: each new alert's time from its 202 to its notification reaching a loopback
 * webhook sink (p50 goal ≤ 1 s), how much backlog was still pending when it was posted, and the
 * drain rate from the end of the flood to an empty inbox (goal ≥ 2,000 inputs/s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Decision } from '../shared/engine/decision.ts';
import { DEFAULT_ENGINE_CONFIG } from '../shared/engine/engine-config.ts';
import { createInboxEntry, type InboxEntry } from '../shared/inbox/inbox.ts';
import { createSilentLogger } from '../shared/observability/logger.ts';
import { createInMemoryMetrics } from '../shared/observability/metrics.ts';
import type { PipelineDeps } from '../shared/pipeline/pipeline-deps.ts';
import { processInboxBatch } from '../shared/pipeline/process-inbox-batch.ts';
import { processInboxEntry } from '../shared/pipeline/process-inbox-entry.ts';
import { createAzureTableStore } from '../shared/store/azure-table-store.ts';
import { createDynamoDbStore, ensureDynamoDbTable } from '../shared/store/dynamodb-store.ts';
import { createMemoryStore } from '../shared/store/memory-store.ts';
import type { StateStore } from '../shared/store/ports.ts';
import { createSqliteStore } from '../shared/store/sqlite-store.ts';
import { startAzurite } from '../test/helpers/azurite.ts';
import { startDynalite } from '../test/helpers/dynalite.ts';
import { type GoalLine, median, verdict } from './lib.ts';
import { type ServeProcess, startServe, stopChild } from './runner-process.ts';
import { buildServiceHealthStorm, makeUpdates, renderUpdate } from './service-health-storm.ts';

const UPDATES = 10;
const SUBSCRIPTIONS = 2000;
const NEW_ALERTS = 5;
const SPACING_MS = 250;
/** Inputs the one-at-a-time path (today's) gets per store: enough for a steady rate, not minutes on an emulator. */
const SAMPLE_ONE_AT_A_TIME = { memory: 4000, sqlite: 2000, cloud: 600 } as const;
/** The batch sizes of the runtimes: an SQS event (Lambda, 10 records) and the local drain's pass (500). */
const BATCH_SIZES = [10, 500] as const;
const TOKEN = 'bench-token-0123456789abcdef0123';
const SECRET = 'whsec_Zmxvb2QtYmVuY2gtc2VjcmV0LTAxMjM0NTY3';

function startRecordingSink(arrivals: Map<string, number>): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      for (const match of text.matchAll(/FLOOD-NEW-\d+/g)) {
        if (!arrivals.has(match[0])) arrivals.set(match[0], performance.now());
      }
      response.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      resolve({ server, url: `http://127.0.0.1:${address.port}/hook` });
    }),
  );
}

async function readPending(base: string): Promise<number> {
  const status = (await (await fetch(`${base}/api/status`)).json()) as { inbox: { pending: number } };
  return status.inbox.pending;
}

async function postFlood(url: string, bodies: readonly string[]): Promise<{ ok: number; seconds: number }> {
  let next = 0;
  const started = performance.now();
  const result = await autocannon({
    url,
    connections: 50,
    amount: bodies.length,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
  });
  return { ok: result['2xx'], seconds: (performance.now() - started) / 1000 };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

export async function runFloodRunner(dir: string): Promise<GoalLine[] | null> {
  const arrivals = new Map<string, number>();
  const sink = await startRecordingSink(arrivals);
  let serve: ServeProcess | null = null;
  try {
    serve = await startServe(dir, {
      probes: { enabled: false },
      webhook: { tokens: [TOKEN] },
      notify: {
        sinks: [
          {
            kind: 'webhook',
            name: 'loopback',
            url: sink.url,
            secret: SECRET,
            allowInsecure: true,
            allowPrivate: true,
          },
        ],
      },
      log: { level: 'warn', format: 'json' },
    });
    if (serve === null) {
      console.log('  runner: the CLI bundle is missing (run `npm run build`): skipped');
      return null;
    }
    const { base } = serve;
    const ingest = `${base}/api/service-health?token=${TOKEN}`;
    const bodies = buildServiceHealthStorm({
      updates: makeUpdates(UPDATES),
      subscriptions: SUBSCRIPTIONS,
      copies: 1,
    });
    const flood = await postFlood(ingest, bodies);
    const floodEnded = performance.now();
    const backlog = await readPending(base);
    console.log(
      `  flood: ${flood.ok.toLocaleString('en-US')} of ${bodies.length.toLocaleString('en-US')} accepted (202) in ${flood.seconds.toFixed(1)} s; ${backlog.toLocaleString('en-US')} still pending when it ended`,
    );
    const latencies: number[] = [];
    const pendingAtPost: number[] = [];
    for (let i = 0; i < NEW_ALERTS; i++) {
      const trackingId = `FLOOD-NEW-${i}`;
      const body = renderUpdate(
        {
          communicationId: String(12000000000000 + i),
          stage: 'Active',
          status: 'Active',
          at: new Date().toISOString(),
        },
        { trackingId },
      );
      pendingAtPost.push(await readPending(base));
      const response = await fetch(ingest, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await response.arrayBuffer();
      const acceptedAt = performance.now();
      if (response.status !== 202) throw new Error(`new alert answered ${response.status}`);
      const arrived = await waitUntil(async () => arrivals.has(trackingId), 120_000);
      latencies.push(arrived ? (arrivals.get(trackingId) ?? 0) - acceptedAt : Number.POSITIVE_INFINITY);
      await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
    }
    const drained = await waitUntil(async () => (await readPending(base)) === 0, 600_000);
    const drainSeconds = (performance.now() - floodEnded) / 1000;
    const drainRate = backlog / drainSeconds;
    const behind = latencies.filter((_, i) => (pendingAtPost[i] ?? 0) > 0);
    const p50 = median(behind.length > 0 ? behind : latencies);
    console.log(
      `  new alerts (202 → loopback sink): ${latencies.map((ms) => `${Math.round(ms)} ms`).join(', ')} — p50 of the ${behind.length} posted behind a backlog: ${Math.round(p50)} ms`,
    );
    console.log(
      `    backlog pending when each was posted: ${pendingAtPost.map((n) => n.toLocaleString('en-US')).join(', ')}`,
    );
    console.log(
      `  drain: ${backlog.toLocaleString('en-US')} pending inputs processed in ${drainSeconds.toFixed(1)} s after the flood — ${Math.round(drainRate).toLocaleString('en-US')} inputs/s${drained ? '' : ' (did not finish)'}`,
    );
    const latencyGoal = p50 <= 1000 && behind.length >= 3;
    const drainGoal = drained && drainRate >= 2000;
    console.log(
      `  new-alert p50 ≤ 1 s with the backlog still draining (≥ 3 posted behind it): ${verdict(latencyGoal)}; drain ≥ 2,000 inputs/s (SQLite): ${verdict(drainGoal)}`,
    );
    return [
      { goal: 'flood: new-alert p50 ≤ 1 s behind the backlog', pass: latencyGoal },
      { goal: 'flood: drain ≥ 2,000 inputs/s on SQLite', pass: drainGoal },
    ];
  } finally {
    if (serve) await stopChild(serve.child, 'SIGKILL');
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  }
}

interface StoreKind {
  readonly name: string;
  readonly sample: number;
  readonly cloud: boolean;
  /** Opens the server (if any); `open(name)` gives a fresh, empty store. */
  readonly start: () => Promise<{ open: (name: string) => Promise<StateStore>; stop: () => Promise<void> }>;
}

function storeKinds(dir: string): StoreKind[] {
  return [
    {
      name: 'memory',
      sample: SAMPLE_ONE_AT_A_TIME.memory,
      cloud: false,
      start: async () => ({ open: async () => createMemoryStore(), stop: async () => {} }),
    },
    {
      name: 'sqlite',
      sample: SAMPLE_ONE_AT_A_TIME.sqlite,
      cloud: false,
      start: async () => ({
        open: async (name) => createSqliteStore({ path: join(dir, `${name}.db`) }),
        stop: async () => {},
      }),
    },
    {
      name: 'azure-table (Azurite)',
      sample: SAMPLE_ONE_AT_A_TIME.cloud,
      cloud: true,
      start: async () => {
        const server = await startAzurite();
        return {
          open: async (name) =>
            createAzureTableStore({ connectionString: server.connectionString, tableName: `flood${name}` }),
          stop: () => server.stop(),
        };
      },
    },
    {
      name: 'dynamodb (dynalite)',
      sample: SAMPLE_ONE_AT_A_TIME.cloud,
      cloud: true,
      start: async () => {
        const server = await startDynalite();
        return {
          open: async (name) => {
            const options = {
              tableName: `flood-${name}`,
              client: {
                endpoint: server.endpoint,
                region: 'us-east-1',
                credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
              },
            };
            await ensureDynamoDbTable(options);
            return createDynamoDbStore(options);
          },
          stop: () => server.stop(),
        };
      },
    },
  ];
}

function pipelineDepsFor(store: StateStore): PipelineDeps {
  const now = new Date('2026-02-06T12:00:00.000Z');
  return {
    store,
    // The store path only (engine, decision log, outbox): evidence has its own backends and costs.
    evidence: null,
    engine: DEFAULT_ENGINE_CONFIG,
    routing: { routes: [], defaultRoute: { sinks: ['loopback'], fallback: [] } },
    now: () => now,
    logger: createSilentLogger(),
    metrics: createInMemoryMetrics(),
  };
}

async function timeOneAtATime(entries: readonly InboxEntry[], store: StateStore): Promise<number> {
  const deps = pipelineDepsFor(store);
  const started = performance.now();
  for (const entry of entries) await processInboxEntry(entry, deps);
  return entries.length / ((performance.now() - started) / 1000);
}

async function timeBatches(
  entries: readonly InboxEntry[],
  store: StateStore,
  size: number,
): Promise<{ rate: number; distinct: string[] }> {
  const deps = pipelineDepsFor(store);
  const decisions: Decision[] = [];
  const started = performance.now();
  for (let i = 0; i < entries.length; i += size) {
    decisions.push(...(await processInboxBatch(entries.slice(i, i + size), deps)).decisions);
  }
  const rate = entries.length / ((performance.now() - started) / 1000);
  return { rate, distinct: decisions.filter((d) => d.kind !== 'duplicate').map((d) => d.kind) };
}

/**
 * Store part: the same storm as inbox entries through today's one-at-a-time path (a sample) and the
 * batch path (all of it, at each runtime's batch size), on every store, measured in this run.
 */
export async function runFloodStores(dir: string): Promise<GoalLine[]> {
  const bodies = buildServiceHealthStorm({
    updates: makeUpdates(UPDATES),
    subscriptions: SUBSCRIPTIONS,
    copies: 1,
  });
  const entries = bodies.map((body, i) =>
    createInboxEntry(Buffer.from(body), {
      source: 'service-health',
      contentType: 'application/json',
      receivedAt: new Date(Date.parse('2026-02-06T11:00:00.000Z') + i),
    }),
  );
  const goals: GoalLine[] = [];
  for (const kind of storeKinds(dir)) {
    let server: Awaited<ReturnType<StoreKind['start']>>;
    try {
      server = await kind.start();
    } catch (error) {
      console.log(`  ${kind.name}: skipped — ${error instanceof Error ? error.message : String(error)}`);
      if (kind.cloud)
        goals.push({ goal: `flood: ${kind.name} batches ≥ 10× one at a time`, pass: false, skipped: true });
      continue;
    }
    try {
      const oneStore = await server.open('one');
      const oneRate = await timeOneAtATime(entries.slice(0, kind.sample), oneStore);
      await oneStore.close();
      const parts = [
        `one at a time (today's path, ${kind.sample.toLocaleString('en-US')} inputs) ${Math.round(oneRate).toLocaleString('en-US')} inputs/s`,
      ];
      let best = 0;
      let exact = true;
      for (const size of BATCH_SIZES) {
        const store = await server.open(`batch${size}`);
        const batch = await timeBatches(entries, store, size);
        await store.close();
        exact &&= batch.distinct.length === UPDATES;
        best = Math.max(best, batch.rate / oneRate);
        parts.push(
          `batches of ${size}: ${Math.round(batch.rate).toLocaleString('en-US')} inputs/s = ${(batch.rate / oneRate).toFixed(1)}×`,
        );
      }
      console.log(`  ${kind.name}: ${parts.join('; ')}`);
      console.log(`    non-duplicate decisions: ${UPDATES} in every batched run: ${verdict(exact)}`);
      goals.push({ goal: `flood: ${kind.name} exactly ${UPDATES} non-duplicate decisions`, pass: exact });
      if (kind.cloud)
        goals.push({ goal: `flood: ${kind.name} batches ≥ 10× one at a time`, pass: best >= 10 });
    } finally {
      await server.stop();
    }
  }
  return goals;
}

export async function runFloodBenchmarks(): Promise<GoalLine[]> {
  console.log(
    `flood: ${(UPDATES * SUBSCRIPTIONS).toLocaleString('en-US')} duplicate-heavy webhooks (${UPDATES} updates × ${SUBSCRIPTIONS.toLocaleString('en-US')} subscriptions, every body distinct), then ${NEW_ALERTS} new incidents`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-flood-bench-'));
  try {
    const runner = (await runFloodRunner(dir)) ?? [
      { goal: 'flood: runner benchmark', pass: false, skipped: true },
    ];
    console.log('  the store path alone (engine + decision log + outbox, no evidence), in process:');
    return [...runner, ...(await runFloodStores(dir))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const part = process.argv[2];
  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-flood-bench-'));
  try {
    if (part === 'stores') await runFloodStores(dir);
    else if (part === 'runner') await runFloodRunner(dir);
    else await runFloodBenchmarks();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

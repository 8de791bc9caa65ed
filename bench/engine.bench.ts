/**
 * Engine benchmark (issue [engine]): 10,000 Service Health webhooks (Azure Monitor common alert
 * schema JSON text) for ONE incident, across 500 subscriptions, carrying the 4 published updates
 * (Active, Active with a new communicationId, Resolved, RCA), 5 copies each, shuffled; each goes
 * through normalizeText + processEvent. Printed per store: decisions/s and the non-duplicate
 * decisions (must be exactly 4: open, update, resolve, update). The floor is the same storm through
 * normalizeText alone, and the ratio of each store's time to it. Stores: memory, SQLite (file),
 * Azure Table on Azurite and DynamoDB on dynalite (started here through the test helpers); a store
 * whose adapter or server is not available is skipped with a notice.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processEvent } from '../shared/engine/process-event.ts';
import type { CrosswatchEvent } from '../shared/event/schema.ts';
import { normalizeText } from '../shared/ingest/normalize.ts';
import { createAzureTableStore } from '../shared/store/azure-table-store.ts';
import { createDynamoDbStore, ensureDynamoDbTable } from '../shared/store/dynamodb-store.ts';
import { createMemoryStore } from '../shared/store/memory-store.ts';
import type { StateStore } from '../shared/store/ports.ts';
import { createSqliteStore } from '../shared/store/sqlite-store.ts';
import { startAzurite } from '../test/helpers/azurite.ts';
import { startDynalite } from '../test/helpers/dynalite.ts';
import { verdict } from './lib.ts';

const SUBSCRIPTIONS = 500;
const COPIES = 5;
const TEMPLATE_SUBSCRIPTION = '3f2a9c1e-7b4d-4e8a-9c21-5d6e7f8a9b0c';
const UPDATES = [
  {
    communicationId: '11000098765432',
    stage: 'Active',
    status: 'Active',
    at: '2026-02-02T20:13:51.5612836Z',
  },
  {
    communicationId: '11000098765499',
    stage: 'Active',
    status: 'Active',
    at: '2026-02-02T21:05:12.0000000Z',
  },
  {
    communicationId: '11000098765555',
    stage: 'Resolved',
    status: 'Resolved',
    at: '2026-02-03T01:30:00.0000000Z',
  },
  { communicationId: '11000098769999', stage: 'RCA', status: 'Resolved', at: '2026-02-06T10:00:00.0000000Z' },
] as const;

type Normalize = typeof normalizeText;

function subscriptionId(index: number): string {
  return `${index.toString(16).padStart(8, '0')}-7b4d-4e8a-9c21-5d6e7f8a9b0c`;
}

function seededShuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** The 10,000 webhook bodies, shuffled. */
export function buildServiceHealthStorm(): string[] {
  const template = JSON.parse(readFileSync('bench/payloads/service-health-incident-active.json', 'utf8'));
  const bodies: string[] = [];
  for (const update of UPDATES) {
    const payload = structuredClone(template);
    const context = payload.data.alertContext;
    context.properties.stage = update.stage;
    context.properties.communicationId = update.communicationId;
    context.status = update.status;
    context.eventTimestamp = update.at;
    context.submissionTimestamp = update.at;
    payload.data.essentials.firedDateTime = update.at;
    if (update.status === 'Resolved') context.properties.impactMitigationTime = UPDATES[2].at;
    const text = JSON.stringify(payload);
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      const body = text.replaceAll(TEMPLATE_SUBSCRIPTION, subscriptionId(s));
      for (let copy = 0; copy < COPIES; copy++) bodies.push(body);
    }
  }
  return seededShuffle(bodies, 20260202);
}

interface StoreRun {
  readonly name: string;
  readonly open: () => Promise<{ store: StateStore; stop: () => Promise<void> } | string>;
}

function storeRuns(dir: string): StoreRun[] {
  return [
    {
      name: 'memory',
      open: async () => ({ store: createMemoryStore(), stop: async () => {} }),
    },
    {
      name: 'sqlite',
      open: async () => {
        const store = createSqliteStore({ path: join(dir, 'engine-bench.db') });
        return { store, stop: () => store.close() };
      },
    },
    {
      name: 'azure-table (Azurite)',
      open: async () => {
        const server = await startAzurite();
        const store = createAzureTableStore({
          connectionString: server.connectionString,
          tableName: 'enginebench',
        });
        return {
          store,
          stop: async () => {
            await store.close();
            await server.stop();
          },
        };
      },
    },
    {
      name: 'dynamodb (dynalite)',
      open: async () => {
        const server = await startDynalite();
        const options = {
          tableName: 'engine-bench',
          client: {
            endpoint: server.endpoint,
            region: 'us-east-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          },
        };
        await ensureDynamoDbTable(options);
        const store = createDynamoDbStore(options);
        return {
          store,
          stop: async () => {
            await store.close();
            await server.stop();
          },
        };
      },
    },
  ];
}

async function runStorm(
  bodies: readonly string[],
  normalize: Normalize,
  store: StateStore,
): Promise<{ ms: number; decisions: number; distinct: string[] }> {
  const now = new Date('2026-02-06T12:00:00.000Z');
  const distinct: string[] = [];
  let decisions = 0;
  const start = process.hrtime.bigint();
  for (const body of bodies) {
    for (const event of normalize(body, { now: () => now }).events) {
      for (const decision of await processEvent(event as CrosswatchEvent, { store, now })) {
        decisions++;
        if (decision.kind !== 'duplicate') distinct.push(decision.kind);
      }
    }
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, decisions, distinct };
}

export async function runEngineBenchmarks(): Promise<boolean> {
  console.log(
    `engine: ${SUBSCRIPTIONS * COPIES * UPDATES.length} Service Health webhooks, 1 incident, ${SUBSCRIPTIONS} subscriptions, 4 updates, shuffled`,
  );
  const bodies = buildServiceHealthStorm();

  // Floor: the same storm through normalize only.
  let sink = 0;
  const floorStart = process.hrtime.bigint();
  for (const body of bodies) sink += normalizeText(body).events.length;
  const floorMs = Number(process.hrtime.bigint() - floorStart) / 1e6;
  if (sink !== bodies.length) throw new Error(`expected one event per webhook, got ${sink}`);
  console.log(
    `  floor (normalize only): ${Math.round(bodies.length / (floorMs / 1000)).toLocaleString('en-US')} webhooks/s`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-engine-bench-'));
  let pass = true;
  try {
    for (const run of storeRuns(dir)) {
      let opened: Awaited<ReturnType<StoreRun['open']>>;
      try {
        opened = await run.open();
      } catch (error) {
        opened = error instanceof Error ? error.message : String(error);
      }
      if (typeof opened === 'string') {
        console.log(`  ${run.name}: skipped — ${opened}`);
        continue;
      }
      try {
        const result = await runStorm(bodies, normalizeText, opened.store);
        const kinds = [...result.distinct].sort().join(', ');
        const exact = kinds === 'open, resolve, update, update';
        pass &&= exact;
        console.log(
          `  ${run.name}: ${Math.round(result.decisions / (result.ms / 1000)).toLocaleString('en-US')} decisions/s, ` +
            `${(result.ms / floorMs).toFixed(1)}× the floor; non-duplicate decisions: ${result.distinct.length} ` +
            `(${result.distinct.join(', ')}) ${verdict(exact)}`,
        );
      } finally {
        await opened.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return pass;
}

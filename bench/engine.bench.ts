/**
 * Engine benchmark (issue [engine]): 10,000 Service Health webhooks (Azure Monitor common alert
 * schema JSON text, from bench/service-health-storm.ts) for ONE incident, across 500 subscriptions,
 * carrying the 4 published updates (Active, Active with a new communicationId, Resolved, RCA), 5
 * copies each, shuffled. Per store, two paths, each on a fresh store (its own file or table):
 * - one at a time: normalizeText + processEvent per webhook (the engine's per-event path);
 * - batched: normalizeText of BATCH webhooks, then ONE processEvents call for their events (one
 *   getMany, one conditional write per incident, one putMany for the decision log per call).
 * Printed per path: decisions/s, its time against the floor, and the non-duplicate decisions (must
 * be exactly 4: open, update, resolve, update — a goal line each); then the batched/one-at-a-time
 * ratio of decisions/s (for reading). The floor is the same storm through normalizeText alone.
 * Stores: memory, SQLite (file), Azure Table on Azurite and DynamoDB on dynalite (started here
 * through the test helpers); a store whose server cannot start is skipped with a notice, and its
 * goals are reported as skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processEvent, processEvents } from '../shared/engine/process-event.ts';
import { normalizeText } from '../shared/ingest/normalize.ts';
import { createAzureTableStore } from '../shared/store/azure-table-store.ts';
import { createDynamoDbStore, ensureDynamoDbTable } from '../shared/store/dynamodb-store.ts';
import { createMemoryStore } from '../shared/store/memory-store.ts';
import type { StateStore } from '../shared/store/ports.ts';
import { createSqliteStore } from '../shared/store/sqlite-store.ts';
import { startAzurite } from '../test/helpers/azurite.ts';
import { startDynalite } from '../test/helpers/dynalite.ts';
import { type GoalLine, verdict } from './lib.ts';
import { buildServiceHealthStorm, FOUR_UPDATES } from './service-health-storm.ts';

const SUBSCRIPTIONS = 500;
const COPIES = 5;
/** Webhooks whose events go to one processEvents call (the local drain's pass size). */
const BATCH = 500;
const NOW = new Date('2026-02-06T12:00:00.000Z');
/** The non-duplicate decision kinds of the storm, sorted. */
const EXPECTED_KINDS = 'open, resolve, update, update';

type PathName = 'one at a time' | 'batched';
const PATHS: readonly { readonly name: PathName; readonly table: string; readonly label: string }[] = [
  { name: 'one at a time', table: 'one', label: 'one at a time (processEvent per event)' },
  { name: 'batched', table: 'batched', label: `batched (processEvents per ${BATCH} webhooks)` },
];

interface StoreKind {
  readonly name: string;
  /** Starts the server (if any); `open(table)` gives a fresh, empty store named after `table`. */
  readonly start: () => Promise<{ open: (table: string) => Promise<StateStore>; stop: () => Promise<void> }>;
}

function storeKinds(dir: string): StoreKind[] {
  return [
    {
      name: 'memory',
      start: async () => ({ open: async () => createMemoryStore(), stop: async () => {} }),
    },
    {
      name: 'sqlite',
      start: async () => ({
        open: async (table) => createSqliteStore({ path: join(dir, `engine-bench-${table}.db`) }),
        stop: async () => {},
      }),
    },
    {
      name: 'azure-table (Azurite)',
      start: async () => {
        const server = await startAzurite();
        return {
          open: async (table) =>
            createAzureTableStore({
              connectionString: server.connectionString,
              tableName: `enginebench${table}`,
            }),
          stop: () => server.stop(),
        };
      },
    },
    {
      name: 'dynamodb (dynalite)',
      start: async () => {
        const server = await startDynalite();
        return {
          open: async (table) => {
            const options = {
              tableName: `engine-bench-${table}`,
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

interface PathResult {
  readonly ms: number;
  readonly decisions: number;
  readonly distinct: string[];
}

async function runOneAtATime(bodies: readonly string[], store: StateStore): Promise<PathResult> {
  const distinct: string[] = [];
  let decisions = 0;
  const start = process.hrtime.bigint();
  for (const body of bodies) {
    for (const event of normalizeText(body, { now: () => NOW }).events) {
      for (const decision of await processEvent(event, { store, now: NOW })) {
        decisions++;
        if (decision.kind !== 'duplicate') distinct.push(decision.kind);
      }
    }
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, decisions, distinct };
}

async function runBatched(bodies: readonly string[], store: StateStore): Promise<PathResult> {
  const distinct: string[] = [];
  let decisions = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < bodies.length; i += BATCH) {
    const events = bodies
      .slice(i, i + BATCH)
      .flatMap((body) => normalizeText(body, { now: () => NOW }).events);
    for (const decision of await processEvents(events, { store, now: NOW })) {
      decisions++;
      if (decision.kind !== 'duplicate') distinct.push(decision.kind);
    }
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, decisions, distinct };
}

const perSecond = (count: number, ms: number) => count / (ms / 1000);
const formatCount = (value: number) => Math.round(value).toLocaleString('en-US');

export async function runEngineBenchmarks(): Promise<GoalLine[]> {
  console.log(
    `engine: ${SUBSCRIPTIONS * COPIES * FOUR_UPDATES.length} Service Health webhooks, 1 incident, ${SUBSCRIPTIONS} subscriptions, 4 updates, shuffled`,
  );
  const bodies = buildServiceHealthStorm({
    updates: FOUR_UPDATES,
    subscriptions: SUBSCRIPTIONS,
    copies: COPIES,
  });

  // Floor: the same storm through normalize only.
  let sink = 0;
  const floorStart = process.hrtime.bigint();
  for (const body of bodies) sink += normalizeText(body).events.length;
  const floorMs = Number(process.hrtime.bigint() - floorStart) / 1e6;
  if (sink !== bodies.length) throw new Error(`expected one event per webhook, got ${sink}`);
  console.log(`  floor (normalize only): ${formatCount(perSecond(bodies.length, floorMs))} webhooks/s`);

  const dir = mkdtempSync(join(tmpdir(), 'crosswatch-engine-bench-'));
  const goals: GoalLine[] = [];
  const goalFor = (store: string, path: PathName) =>
    `engine: ${store} ${path}: exactly 4 non-duplicate decisions`;
  try {
    for (const kind of storeKinds(dir)) {
      let server: Awaited<ReturnType<StoreKind['start']>>;
      try {
        server = await kind.start();
      } catch (error) {
        console.log(`  ${kind.name}: skipped — ${error instanceof Error ? error.message : String(error)}`);
        for (const path of PATHS)
          goals.push({ goal: goalFor(kind.name, path.name), pass: false, skipped: true });
        continue;
      }
      try {
        console.log(`  ${kind.name}:`);
        const rates: number[] = [];
        for (const path of PATHS) {
          const store = await server.open(path.table);
          let result: PathResult;
          try {
            result =
              path.name === 'batched' ? await runBatched(bodies, store) : await runOneAtATime(bodies, store);
          } catch (error) {
            console.log(
              `    ${path.label}: failed — ${error instanceof Error ? error.message : String(error)}  ${verdict(false)}`,
            );
            goals.push({ goal: goalFor(kind.name, path.name), pass: false });
            continue;
          } finally {
            await store.close();
          }
          const exact = [...result.distinct].sort().join(', ') === EXPECTED_KINDS;
          const rate = perSecond(result.decisions, result.ms);
          rates.push(rate);
          goals.push({ goal: goalFor(kind.name, path.name), pass: exact });
          console.log(
            `    ${path.label}: ${formatCount(rate)} decisions/s, ${(result.ms / floorMs).toFixed(1)}× the floor; ` +
              `non-duplicate decisions: ${result.distinct.length} (${result.distinct.join(', ')}) ${verdict(exact)}`,
          );
        }
        const [one, batched] = rates;
        if (rates.length === PATHS.length && one !== undefined && batched !== undefined)
          console.log(`    batched / one at a time: ${(batched / one).toFixed(1)}× the decisions/s`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return goals;
}

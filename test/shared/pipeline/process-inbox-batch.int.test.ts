/**
 * Exactly-once decisions under batching, on every store: a shuffled storm of Service Health webhooks
 * (4 publications of one incident × 500 subscriptions × 2 copies = 4,000 inputs) processed as inbox
 * batches by TWO concurrent workers (one taking batches of 10 like a Lambda SQS event, one batches of
 * 500 like the local drain), so their conditional writes on the one incident document race. Every
 * store must give exactly 4 non-duplicate decisions (open, update, resolve, update), log each once,
 * queue one delivery each, and keep all 500 subscriptions on the incident. Memory and SQLite run
 * here; Azure Table Storage on Azurite and DynamoDB on dynalite are real loopback servers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../../shared/engine/decision.ts';
import { listDecisions } from '../../../shared/engine/decision-log.ts';
import { DEFAULT_ENGINE_CONFIG } from '../../../shared/engine/engine-config.ts';
import { getIncident } from '../../../shared/engine/process-event.ts';
import type { InboxEntry } from '../../../shared/inbox/inbox.ts';
import { OUTBOX_COLLECTIONS } from '../../../shared/notify/delivery-record.ts';
import { createSilentLogger } from '../../../shared/observability/logger.ts';
import { createInMemoryMetrics } from '../../../shared/observability/metrics.ts';
import type { PipelineDeps } from '../../../shared/pipeline/pipeline-deps.ts';
import { processInboxBatch } from '../../../shared/pipeline/process-inbox-batch.ts';
import { createAzureTableStore } from '../../../shared/store/azure-table-store.ts';
import { createDynamoDbStore, ensureDynamoDbTable } from '../../../shared/store/dynamodb-store.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { createSqliteStore } from '../../../shared/store/sqlite-store.ts';
import { type AzuriteServer, startAzurite } from '../../helpers/azurite.ts';
import { type DynaliteServer, startDynalite } from '../../helpers/dynalite.ts';
import {
  buildServiceHealthWebhookStorm,
  STORM_TRACKING_ID,
  toInboxEntries,
} from '../../helpers/service-health-webhooks.ts';

const NOW = new Date('2026-02-06T12:00:00.000Z');
const SUBSCRIPTIONS = 500;

let dir: string;
let azurite: AzuriteServer;
let dynalite: DynaliteServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-batch-'));
  [azurite, dynalite] = await Promise.all([startAzurite(), startDynalite()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([azurite?.stop(), dynalite?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

function depsFor(store: StateStore): PipelineDeps {
  return {
    store,
    evidence: null,
    engine: DEFAULT_ENGINE_CONFIG,
    routing: { routes: [], defaultRoute: { sinks: ['ops'], fallback: [] } },
    now: () => NOW,
    logger: createSilentLogger(),
    metrics: createInMemoryMetrics(),
  };
}

async function runWorker(
  entries: readonly InboxEntry[],
  size: number,
  deps: PipelineDeps,
): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (let i = 0; i < entries.length; i += size) {
    const outcome = await processInboxBatch(entries.slice(i, i + size), deps);
    expect(outcome.rejected).toEqual([]);
    const batch = entries.slice(i, i + size);
    expect(outcome.processed).toHaveLength(batch.length);
    // One decision per distinct input of the batch (an identical copy in the same batch is settled with it).
    expect(outcome.decisions).toHaveLength(new Set(batch.map((entry) => entry.id)).size);
    decisions.push(...outcome.decisions);
  }
  return decisions;
}

async function countDeliveries(store: StateStore): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list(OUTBOX_COLLECTIONS.deliveries, {
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

const stores: [string, () => Promise<StateStore>][] = [
  ['memory', async () => createMemoryStore()],
  ['sqlite', async () => createSqliteStore({ path: join(dir, 'state.db') })],
  [
    'azure-table (Azurite)',
    async () =>
      createAzureTableStore({ connectionString: azurite.connectionString, tableName: 'batchstorm' }),
  ],
  [
    'dynamodb (dynalite)',
    async () => {
      const options = {
        tableName: 'batch-storm',
        client: {
          endpoint: dynalite.endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
      };
      await ensureDynamoDbTable(options);
      return createDynamoDbStore(options);
    },
  ],
];

describe('processInboxBatch: exactly-once decisions under batching', () => {
  for (const [name, open] of stores) {
    it(`${name}: a shuffled storm across ${SUBSCRIPTIONS} subscriptions, two racing workers → exactly 4 decisions`, async () => {
      const store = await open();
      try {
        const entries = toInboxEntries(
          buildServiceHealthWebhookStorm({ subscriptions: SUBSCRIPTIONS, copies: 2, seed: 7 }),
        );
        expect(entries).toHaveLength(4 * SUBSCRIPTIONS * 2);
        const half = entries.length / 2;
        const [a, b] = await Promise.all([
          runWorker(entries.slice(0, half), 10, depsFor(store)),
          runWorker(entries.slice(half), 500, depsFor(store)),
        ]);
        const distinct = [...a, ...b].filter((d) => d.kind !== 'duplicate');
        expect(distinct.map((d) => d.kind).sort()).toEqual(['open', 'resolve', 'update', 'update']);
        const logged = (await listDecisions(store)).filter((d) => d.kind !== 'duplicate');
        expect(logged.map((d) => d.id).sort()).toEqual(distinct.map((d) => d.id).sort());
        expect(await countDeliveries(store)).toBe(4);
        const incident = await getIncident(store, `azure:${STORM_TRACKING_ID}`);
        expect(incident?.scope.subscriptionIds).toHaveLength(SUBSCRIPTIONS);
        expect(incident?.status).toBe('resolved');
      } finally {
        await store.close();
      }
    }, 180_000);
  }
});

/**
 * The shared pipeline paths with real parts: a memory store, a directory evidence archive, real
 * loopback HTTP targets for a probe round.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from '../../../shared/engine/engine-config.ts';
import { createInboxEntry, createStoreInbox } from '../../../shared/inbox/inbox.ts';
import { OUTBOX_COLLECTIONS } from '../../../shared/notify/delivery-record.ts';
import { createSilentLogger } from '../../../shared/observability/logger.ts';
import { createInMemoryMetrics } from '../../../shared/observability/metrics.ts';
import { drainInbox } from '../../../shared/pipeline/drain-inbox.ts';
import type { PipelineDeps } from '../../../shared/pipeline/pipeline-deps.ts';
import { processInboxEntry, RejectedInputError } from '../../../shared/pipeline/process-inbox-entry.ts';
import { runScheduledProbeRound } from '../../../shared/pipeline/run-probe-round.ts';
import { parseTarget } from '../../../shared/probe/targets-file.ts';
import { createDirectoryEvidenceArchive } from '../../../shared/store/evidence-directory.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { type StateStore, StoreUnavailableError } from '../../../shared/store/ports.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const PAYLOAD = readFileSync(
  new URL(
    '../../fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json',
    import.meta.url,
  ),
);

let dir: string;
let store: StateStore;
let deps: PipelineDeps;
let metrics: ReturnType<typeof createInMemoryMetrics>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-pipeline-'));
  store = createMemoryStore();
  metrics = createInMemoryMetrics();
  deps = {
    store,
    evidence: createDirectoryEvidenceArchive({ root: join(dir, 'evidence'), now: () => NOW }),
    engine: DEFAULT_ENGINE_CONFIG,
    routing: { routes: [], defaultRoute: { sinks: ['file'], fallback: [] } },
    now: () => NOW,
    logger: createSilentLogger(),
    metrics,
  };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entryOf(body: Uint8Array) {
  return createInboxEntry(body, {
    source: 'service-health',
    contentType: 'application/json',
    receivedAt: NOW,
  });
}

describe('processInboxEntry', () => {
  it('normalizes, archives the raw input, decides and queues one delivery per routed sink', async () => {
    const outcome = await processInboxEntry(entryOf(PAYLOAD), deps);
    expect(outcome.format).toBe('azure-monitor-common');
    expect(outcome.events).toBe(1);
    expect(outcome.decisions.map((decision) => decision.kind)).toEqual(['resolve']);
    expect(outcome.queued).toBe(1);
    const evidence = await deps.evidence?.get(entryOf(PAYLOAD).id);
    expect(evidence?.record.kind).toBe('input:azure-monitor-common');
    expect(Buffer.from(evidence?.bytes ?? []).equals(PAYLOAD)).toBe(true);
    const deliveries = await store.list(OUTBOX_COLLECTIONS.deliveries);
    expect(deliveries.items).toHaveLength(1);
    expect(metrics.snapshot().counters).toContainEqual({
      name: 'engine.decision',
      dimensions: { kind: 'resolve' },
      value: 1,
    });
  });

  it('is idempotent: the same input again is a duplicate and queues nothing', async () => {
    await processInboxEntry(entryOf(PAYLOAD), deps);
    const again = await processInboxEntry(entryOf(PAYLOAD), deps);
    expect(again.decisions.map((decision) => decision.kind)).toEqual(['duplicate']);
    expect(again.queued).toBe(0);
    expect((await store.list(OUTBOX_COLLECTIONS.deliveries)).items).toHaveLength(1);
  });

  it('rejects input no format recognizes', async () => {
    await expect(processInboxEntry(entryOf(Buffer.from('{"hello":"world"}')), deps)).rejects.toBeInstanceOf(
      RejectedInputError,
    );
  });
});

describe('drainInbox', () => {
  it('processes pending entries, settles rejected ones as failed, and leaves none pending', async () => {
    const inbox = createStoreInbox(store);
    await inbox.put(entryOf(PAYLOAD));
    await inbox.put(entryOf(Buffer.from('{"hello":"world"}')));
    const summary = await drainInbox(inbox, deps);
    expect(summary).toMatchObject({ processed: 1, rejected: 1, stoppedBy: null });
    expect(await inbox.countPending()).toBe(0);
  });

  it('stops at a transient failure and keeps the entry pending for the next pass', async () => {
    const inbox = createStoreInbox(store);
    await inbox.put(entryOf(PAYLOAD));
    const failing: StateStore = {
      ...store,
      get: async () => {
        throw new StoreUnavailableError('store down');
      },
      getMany: async () => {
        throw new StoreUnavailableError('store down');
      },
    };
    const summary = await drainInbox(inbox, { ...deps, store: failing });
    expect(summary.processed).toBe(0);
    expect(summary.stoppedBy).toContain('store down');
    expect(await inbox.countPending()).toBe(1);
    expect(await drainInbox(inbox, deps)).toMatchObject({ processed: 1, rejected: 0, stoppedBy: null });
  });
});

describe('runScheduledProbeRound', () => {
  let target: Loopback;

  afterEach(async () => {
    await target.close();
  });

  it('probes, records outcome and latency metrics per target, plane and vantage, and decides', async () => {
    target = await startHttpServer((_request, response) => {
      response.writeHead(503);
      response.end('down');
    });
    const targets = [
      parseTarget({ id: 'arm', kind: 'http', plane: 'control', url: `${target.url}/health` }, 'test'),
    ];
    const vantage = { id: 'local', cloud: 'local' as const, region: '' };
    for (let round = 0; round < 3; round++) {
      const at = new Date(NOW.getTime() + round * 60_000);
      const outcome = await runScheduledProbeRound(
        { targets, vantage, timeoutMs: 2000, concurrency: 4, scheduledAt: at },
        { ...deps, now: () => at },
      );
      expect(outcome.summary.counts.down).toBe(1);
      expect(outcome.summary.roundId).toBe(
        `r-${at
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, '')}-local`,
      );
    }
    const counters = metrics.snapshot().counters;
    expect(counters).toContainEqual({
      name: 'probe.result',
      dimensions: { target: 'arm', plane: 'control', vantage: 'local', outcome: 'down' },
      value: 3,
    });
    expect(metrics.snapshot().histograms.find((h) => h.name === 'probe.latency_ms')?.count).toBe(3);
    // Three consecutive failures from this vantage open a probe incident.
    expect(counters.some((c) => c.name === 'engine.decision' && c.dimensions.kind === 'open')).toBe(true);
  });
});

describe('runScheduledProbeRound with mesh peers', () => {
  it('queues the round for every peer with a mesh URL, and for nobody without peers', async () => {
    const target = await startHttpServer((_request, response) => {
      response.writeHead(502);
      response.end('bad gateway');
    });
    try {
      const targets = [
        parseTarget({ id: 'edge', kind: 'http', plane: 'edge', url: `${target.url}/` }, 'test'),
      ];
      const vantage = { id: 'azure-westeurope', cloud: 'azure' as const, region: 'westeurope' };
      const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
      const mesh = {
        deploymentId: 'azure-westeurope',
        vantageId: 'azure-westeurope',
        peers: [
          { id: 'aws-eu-west-1', url: 'http://127.0.0.1:9/api/mesh', secret, statusUrl: null },
          { id: 'self-hosted', url: null, secret, statusUrl: null },
        ],
      };
      const settings = { targets, vantage, timeoutMs: 2000, concurrency: 2, scheduledAt: NOW };
      const alone = await runScheduledProbeRound(settings, deps);
      expect(alone.peerBatches).toBe(0);
      const meshed = await runScheduledProbeRound(
        { ...settings, scheduledAt: new Date(NOW.getTime() + 60_000) },
        { ...deps, mesh },
      );
      expect(meshed.peerBatches).toBe(1);
      const queued = await store.list(OUTBOX_COLLECTIONS.queue);
      expect(queued.items.map((item) => item.key.split('|')[0])).toContain('peer:aws-eu-west-1');
    } finally {
      await target.close();
    }
  });
});

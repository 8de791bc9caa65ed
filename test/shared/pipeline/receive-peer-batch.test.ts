/**
 * Received peer batches through the real pipeline (memory store, real engine): results count as
 * their vantage's, a verdict needs the quorum of fresh vantages, a vantage not heard from is unknown
 * (named in the headline), a batch received twice decides nothing new, our own results coming back
 * are dropped, and nothing received is ever queued for another peer.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from '../../../shared/engine/engine-config.ts';
import type { IncidentRecord } from '../../../shared/engine/incident-record.ts';
import { getIncident } from '../../../shared/engine/process-event.ts';
import { getHeartbeat } from '../../../shared/engine/watchdog.ts';
import type { ProbeCloudEvent } from '../../../shared/event/schema.ts';
import { createInboxEntry } from '../../../shared/inbox/inbox.ts';
import type { MeshPeer } from '../../../shared/mesh/mesh-peer.ts';
import { createPeerBatch } from '../../../shared/mesh/peer-batch.ts';
import { listDeliveries } from '../../../shared/notify/dead-letters.ts';
import type { NotificationMessage } from '../../../shared/notify/message.ts';
import { createSilentLogger } from '../../../shared/observability/logger.ts';
import { createInMemoryMetrics } from '../../../shared/observability/metrics.ts';
import type { PipelineDeps } from '../../../shared/pipeline/pipeline-deps.ts';
import { processInboxEntry, RejectedInputError } from '../../../shared/pipeline/process-inbox-entry.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { buildProbeEvent, minute } from '../../helpers/engine-events.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const PEERS: MeshPeer[] = [
  { id: 'azure-westeurope', url: 'http://127.0.0.1:9/api/mesh', secret: SECRET, statusUrl: null },
  { id: 'self-hosted', url: null, secret: SECRET, statusUrl: null },
];

let store: StateStore;
let clock: Date;
let deps: PipelineDeps;

beforeEach(() => {
  store = createMemoryStore();
  clock = new Date(minute(0));
  deps = {
    store,
    evidence: null,
    engine: { ...DEFAULT_ENGINE_CONFIG, verdict: { ...DEFAULT_ENGINE_CONFIG.verdict, quorum: 2 } },
    routing: { routes: [], defaultRoute: { sinks: ['console'], fallback: [] } },
    mesh: { deploymentId: 'aws-eu-west-1', vantageId: 'aws-eu-west-1', peers: PEERS },
    now: () => clock,
    logger: createSilentLogger(),
    metrics: createInMemoryMetrics(),
  };
});

function probe(vantageId: string, round: number, outcome: 'up' | 'down'): ProbeCloudEvent {
  return buildProbeEvent({
    targetId: 'azure-edge',
    vantageId,
    roundId: `r${round}`,
    outcome,
    at: minute(round),
  });
}

function entryFrom(from: string, events: ProbeCloudEvent[]) {
  const body = JSON.stringify(createPeerBatch({ from, sentAt: clock, roundId: 'r', events }));
  return createInboxEntry(Buffer.from(body), {
    source: 'mesh',
    contentType: 'application/json',
    receivedAt: clock,
  });
}

async function incident(): Promise<IncidentRecord | undefined> {
  return getIncident(store, 'probe:azure-edge');
}

async function messages(): Promise<NotificationMessage[]> {
  return (await listDeliveries(store, {}))
    .filter((record) => record.sink === 'console')
    .map((record) => record.message as NotificationMessage);
}

describe('receiving a peer batch', () => {
  it('reaches provider-outage only when a quorum of vantages fails, counting received results', async () => {
    for (let round = 0; round < 3; round++) {
      clock = new Date(minute(round));
      await processInboxEntry(
        entryFrom('azure-westeurope', [probe('azure-westeurope', round, 'down')]),
        deps,
      );
    }
    expect((await incident())?.probeState?.verdict).toBe('partial');
    for (let round = 0; round < 3; round++) {
      clock = new Date(minute(round + 3));
      await processInboxEntry(entryFrom('self-hosted', [probe('self-hosted', round + 3, 'down')]), deps);
    }
    expect((await incident())?.probeState?.verdict).toBe('provider-outage');
    const headlines = (await messages()).map((message) => message.headline);
    expect(headlines.at(-1)).toBe(
      'Azure control plane failing from 2 of 2 vantages, not acknowledged by Microsoft yet',
    );
  });

  it('counts a vantage not heard from within the freshness window as unknown, and says so', async () => {
    for (let round = 0; round < 3; round++) {
      clock = new Date(minute(round));
      await processInboxEntry(
        entryFrom('azure-westeurope', [probe('azure-westeurope', round, 'down')]),
        deps,
      );
      await processInboxEntry(entryFrom('self-hosted', [probe('self-hosted', round, 'down')]), deps);
    }
    expect((await incident())?.probeState?.verdict).toBe('provider-outage');
    // Azure goes quiet while self-hosted keeps failing: once its last result is over 5 min old, Azure is unknown.
    for (let round = 3; round < 10; round++) {
      clock = new Date(minute(round));
      await processInboxEntry(entryFrom('self-hosted', [probe('self-hosted', round, 'down')]), deps);
    }
    const state = (await incident())?.probeState;
    expect(state?.verdict).toBe('partial');
    const last = (await messages()).at(-1);
    expect(last?.headline).toBe(
      'Azure control plane failing from 1 of 1 vantage (self-hosted), not acknowledged by Microsoft yet; azure-westeurope not heard from for 6 min',
    );
  });

  it("judges freshness in the headline by the engine's configured window, not the default", async () => {
    deps = { ...deps, engine: { ...deps.engine, verdict: { quorum: 2, freshnessMs: 60_000 } } };
    for (let round = 0; round < 3; round++) {
      clock = new Date(minute(round));
      await processInboxEntry(
        entryFrom('azure-westeurope', [probe('azure-westeurope', round, 'down')]),
        deps,
      );
      await processInboxEntry(entryFrom('self-hosted', [probe('self-hosted', round, 'down')]), deps);
    }
    for (let round = 3; round < 5; round++) {
      clock = new Date(minute(round));
      await processInboxEntry(entryFrom('self-hosted', [probe('self-hosted', round, 'down')]), deps);
    }
    expect((await messages()).at(-1)?.headline).toMatch(/; azure-westeurope not heard from for 2 min$/);
  });

  it('records the sender as alive when its batch arrives', async () => {
    clock = new Date(minute(4));
    await processInboxEntry(entryFrom('self-hosted', [probe('self-hosted', 4, 'up')]), deps);
    expect((await getHeartbeat(store, 'self-hosted'))?.lastHeartbeatAt).toBe(minute(4));
  });

  it('decides nothing new for a batch received twice (a retried POST)', async () => {
    const entry = entryFrom('azure-westeurope', [probe('azure-westeurope', 0, 'down')]);
    const first = await processInboxEntry(entry, deps);
    const second = await processInboxEntry(entry, deps);
    expect(first.decisions.some((decision) => decision.kind === 'duplicate')).toBe(false);
    expect(second.decisions.filter((decision) => decision.eventId !== null).map((d) => d.kind)).toEqual([
      'duplicate',
    ]);
  });

  it('drops our own vantage coming back, and never queues a received result for another peer', async () => {
    const outcome = await processInboxEntry(
      entryFrom('azure-westeurope', [
        probe('aws-eu-west-1', 0, 'down'),
        probe('azure-westeurope', 0, 'down'),
      ]),
      deps,
    );
    expect(outcome.events).toBe(1);
    expect(Object.keys((await incident())?.probeState?.vantages ?? {})).toEqual(['azure-westeurope']);
    const peerDeliveries = (await listDeliveries(store, {})).filter((record) =>
      record.sink.startsWith('peer:'),
    );
    expect(peerDeliveries).toEqual([]);
  });

  it('drops results older than the freshness window: a backlog delivered late replays no old episode', async () => {
    // Azure's results of an episode that began and ended while this deployment was down arrive late.
    clock = new Date(minute(60));
    const backlog = [0, 1, 2].map((round) => probe('azure-westeurope', round, 'down'));
    const outcome = await processInboxEntry(entryFrom('azure-westeurope', backlog), deps);
    expect(outcome.events).toBe(0);
    expect(await incident()).toBeUndefined();
    expect(await messages()).toEqual([]);
    // The batch still proves the peer is alive now.
    expect((await getHeartbeat(store, 'azure-westeurope'))?.lastHeartbeatAt).toBe(minute(60));
  });

  it('rejects a malformed batch as bad input, naming the field', async () => {
    const entry = createInboxEntry(
      Buffer.from(JSON.stringify({ kind: 'crosswatch.peer-batch', from: 'x', hops: 3 })),
      {
        source: 'mesh',
        contentType: 'application/json',
        receivedAt: clock,
      },
    );
    await expect(processInboxEntry(entry, deps)).rejects.toThrow(RejectedInputError);
    await expect(processInboxEntry(entry, deps)).rejects.toThrow('field hops must be 1');
  });
});

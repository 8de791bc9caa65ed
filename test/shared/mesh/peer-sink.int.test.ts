/**
 * The round's results travel to the peers through the real outbox: enqueuePeerBatches writes one
 * delivery per sending peer, the outbox worker sends it with the peer sink to a loopback HTTP server
 * that checks the Standard Webhooks signature the way the receiving deployment does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../shared/config/validate-config.ts';
import { enqueuePeerBatches } from '../../../shared/mesh/enqueue-peer-batches.ts';
import type { MeshPeer } from '../../../shared/mesh/mesh-peer.ts';
import { parsePeerBatch } from '../../../shared/mesh/parse-peer-batch.ts';
import { createPeerSink, listSendingPeers } from '../../../shared/mesh/peer-sink.ts';
import { listDeliveries } from '../../../shared/notify/dead-letters.ts';
import { runOutboxOnce } from '../../../shared/notify/outbox-worker.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { verifyStandardWebhook } from '../../../shared/util/standard-webhook-signature.ts';
import { buildProbeEvent, minute } from '../../helpers/engine-events.ts';

const SECRET = `whsec_${Buffer.from('mesh-secret-shared-by-two-peers!').toString('base64')}`;
const NOW = new Date(minute(5));

interface Received {
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
  readonly verified: boolean;
}

let server: Server;
let base: string;
let received: Received[];
let answer: { status: number; headers?: Record<string, string> };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = {
        id: request.headers['webhook-id'] as string | undefined,
        timestamp: request.headers['webhook-timestamp'] as string | undefined,
        signature: request.headers['webhook-signature'] as string | undefined,
      };
      received.push({
        headers: { ...headers, path: request.url },
        body: body.toString('utf8'),
        verified: verifyStandardWebhook(headers, body, [SECRET], NOW),
      });
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let store: StateStore;
beforeEach(() => {
  store = createMemoryStore();
  received = [];
  answer = { status: 202 };
});

function peers(): MeshPeer[] {
  return [
    {
      id: 'aws-eu-west-1',
      url: `${base}/aws/api/mesh?code=url-secret`,
      secret: SECRET,
      statusUrl: null,
      allowPrivate: true,
    },
    { id: 'self-hosted', url: null, secret: SECRET, statusUrl: null },
  ];
}

const events = [
  buildProbeEvent({
    targetId: 'edge',
    vantageId: 'azure-westeurope',
    roundId: 'r5',
    outcome: 'down',
    at: minute(5),
  }),
];

async function sendRound(): Promise<void> {
  await enqueuePeerBatches(
    { roundId: 'r5', events },
    { store, peers: peers(), deploymentId: 'azure-westeurope', now: () => NOW },
  );
  const sinks = listSendingPeers(peers()).map((peer) => createPeerSink(peer, { now: () => NOW }));
  await runOutboxOnce({ store, sinks, now: () => NOW, random: () => 0 });
}

describe('sending a round to the peers', () => {
  it('POSTs one signed batch to each peer with a URL, and none to a peer without one', async () => {
    await sendRound();
    expect(received).toHaveLength(1);
    const [post] = received;
    expect(post?.verified).toBe(true);
    expect(post?.headers.path).toBe('/aws/api/mesh?code=url-secret');
    expect(post?.headers.id).toBe('mesh:r5:peer:aws-eu-west-1');
    const batch = parsePeerBatch(JSON.parse(post?.body ?? ''), { receivedAt: NOW, evidence: null });
    expect(batch.from).toBe('azure-westeurope');
    expect(batch.events.map((event) => event.id)).toEqual(events.map((event) => event.id));
    const [delivery] = await listDeliveries(store, {});
    expect(delivery).toMatchObject({ sink: 'peer:aws-eu-west-1', status: 'delivered', rule: 'mesh' });
  });

  it('queues a round once however often it is enqueued (a redelivered round)', async () => {
    await sendRound();
    await sendRound();
    expect(received).toHaveLength(1);
  });

  it('keeps a batch for a peer that is down and retries it (same webhook-id)', async () => {
    answer = { status: 503 };
    await sendRound();
    const [waiting] = await listDeliveries(store, {});
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting?.lastAttempt?.outcome).toBe('transient');
  });

  it('keeps retrying a batch for a peer that stays down, a minute apart at most, for an hour', async () => {
    answer = { status: 503 };
    let now = NOW.getTime();
    const clock = () => new Date(now);
    await enqueuePeerBatches(
      { roundId: 'r5', events },
      { store, peers: peers(), deploymentId: 'azure-westeurope', now: clock },
    );
    const sinks = listSendingPeers(peers()).map((peer) => createPeerSink(peer, { now: clock }));
    // Twelve attempts: more than the outbox's default of 8 for notifications, and none given up.
    for (let attempt = 0; attempt < 12; attempt++) {
      await runOutboxOnce({ store, sinks, now: clock, random: () => 0.999 });
      const [waiting] = await listDeliveries(store, {});
      expect(waiting?.status).toBe('pending');
      expect((waiting?.nextAttemptAt ?? 0) - now).toBeLessThanOrEqual(60_000);
      now = waiting?.nextAttemptAt ?? now;
    }
    expect(received).toHaveLength(12);
    // An hour after it was queued the batch could not count for any verdict: it is dropped.
    now = NOW.getTime() + 61 * 60_000;
    await runOutboxOnce({ store, sinks, now: clock, random: () => 0.999 });
    const [dead] = await listDeliveries(store, {});
    expect(dead?.status).toBe('dead');
    expect(dead?.deadReason).toMatch(/^max age 3600000 ms/);
  });

  it('dead-letters a batch the peer refuses (wrong secret) without naming its URL or secret', async () => {
    answer = { status: 401 };
    await sendRound();
    const [dead] = await listDeliveries(store, {});
    expect(dead?.status).toBe('dead');
    const stored = JSON.stringify(dead?.history) + (dead?.deadReason ?? '');
    expect(stored).toContain('401');
    expect(stored).not.toContain('url-secret');
    expect(stored).not.toContain(SECRET);
  });

  it('refuses a peer on loopback without its allowPrivate, before connecting (permanent)', async () => {
    const [peer] = listSendingPeers(peers());
    const { allowPrivate: _allowed, ...guarded } = peer as NonNullable<typeof peer>;
    const result = await createPeerSink(guarded, { now: () => NOW }).send(
      {
        kind: 'payload',
        title: 'r5',
        incidentKey: 'mesh',
        updateKey: 'mesh:r5',
        decidedAt: NOW.toISOString(),
        body: '{}',
      },
      { deliveryId: 'mesh:r5:peer:aws-eu-west-1', attempt: 1, signal: new AbortController().signal },
    );
    expect(result).toEqual({
      outcome: 'permanent',
      status: null,
      detail: 'refused: loopback address 127.0.0.1 (set allowPrivate to allow a private destination)',
    });
    expect(received).toHaveLength(0);
  });

  it("reads a peer's allowPrivate from the configuration (mesh.peers[].allowPrivate)", () => {
    const config = validateConfig(
      {
        vantage: { id: 'azure-westeurope', cloud: 'azure' },
        mesh: {
          peers: [
            { id: 'lan-runner', url: 'http://10.0.0.7:7071/api/mesh', secret: SECRET, allowPrivate: true },
            { id: 'aws-eu-west-1', url: 'https://mesh.example.com/api/mesh', secret: SECRET },
          ],
        },
      },
      'crosswatch.config.json',
    );
    expect(config.mesh.peers.map((peer) => peer.allowPrivate === true)).toEqual([true, false]);
  });
});

/**
 * The mesh route (POST /api/mesh): only a batch signed with a mesh peer's secret and naming that same
 * peer as its sender is made durable; everything else is 401 and stored nowhere. Real HMAC signatures,
 * a real store-backed inbox.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createStoreInbox, type InboxQueue } from '../../../shared/inbox/inbox.ts';
import type { MeshPeer } from '../../../shared/mesh/mesh-peer.ts';
import { createPeerBatch } from '../../../shared/mesh/peer-batch.ts';
import { createSilentLogger } from '../../../shared/observability/logger.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { signStandardWebhook } from '../../../shared/util/standard-webhook-signature.ts';
import { type AcceptWebhookDeps, acceptWebhook } from '../../../shared/webhook/accept-webhook.ts';
import { buildProbeEvent, minute } from '../../helpers/engine-events.ts';

const secret = (seed: string) => `whsec_${Buffer.from(seed.padEnd(32, '.')).toString('base64')}`;
const AWS_SECRET = secret('aws-and-azure');
const LOCAL_SECRET = secret('local-and-azure');
const PEERS: MeshPeer[] = [
  { id: 'aws-eu-west-1', url: 'http://127.0.0.1:1/api/mesh', secret: AWS_SECRET, statusUrl: null },
  { id: 'self-hosted', url: null, secret: LOCAL_SECRET, statusUrl: null },
  { id: 'watched-only', url: null, secret: null, statusUrl: 'http://127.0.0.1:1/api/status' },
];
const NOW = new Date(minute(10));
const NOW_S = Math.floor(NOW.getTime() / 1000);

let store: StateStore;
let inbox: InboxQueue;

beforeEach(() => {
  store = createMemoryStore();
  inbox = createStoreInbox(store);
});

function deps(): AcceptWebhookDeps {
  return {
    config: {
      tokens: ['a-webhook-token-0123456789'],
      entra: null,
      standardWebhookSecrets: [secret('general-webhook')],
      maxBodyBytes: 1024 * 1024,
      allowedSubscriptionIds: ['aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e'],
    },
    inbox,
    now: () => NOW,
    logger: createSilentLogger(),
    peers: PEERS,
  };
}

function batchFrom(from: string): string {
  const event = buildProbeEvent({
    targetId: 'edge',
    vantageId: from,
    roundId: 'r1',
    outcome: 'down',
    at: minute(9),
  });
  return JSON.stringify(createPeerBatch({ from, sentAt: NOW, roundId: 'r1', events: [event] }));
}

function post(body: string, signing: { secret: string; timestamp?: number; id?: string } | null) {
  const id = signing?.id ?? 'mesh:r1:peer:azure';
  const timestamp = signing?.timestamp ?? NOW_S;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signing) {
    headers['webhook-id'] = id;
    headers['webhook-timestamp'] = String(timestamp);
    headers['webhook-signature'] = signStandardWebhook(signing.secret, id, timestamp, body);
  }
  return {
    method: 'POST',
    path: '/api/mesh',
    query: new URLSearchParams(),
    headers,
    body: new Uint8Array(Buffer.from(body)),
  };
}

async function expectNothingStored(): Promise<void> {
  expect(await inbox.countPending()).toBe(0);
  expect((await store.list('inbox')).items).toEqual([]);
}

describe('the mesh route', () => {
  it('makes a batch signed by its sender durable as a mesh input (no subscription allowlist applies)', async () => {
    const response = await acceptWebhook(post(batchFrom('aws-eu-west-1'), { secret: AWS_SECRET }), deps());
    expect(response.status).toBe(202);
    const pending = await inbox.listPending(10);
    expect(pending.map((entry) => entry.source)).toEqual(['mesh']);
    // Each peer signs with its own secret.
    expect(
      (await acceptWebhook(post(batchFrom('self-hosted'), { secret: LOCAL_SECRET }), deps())).status,
    ).toBe(202);
  });

  it.each([
    ['no signature', () => post(batchFrom('aws-eu-west-1'), null)],
    ['an unknown secret', () => post(batchFrom('aws-eu-west-1'), { secret: secret('a stranger') })],
    [
      'the general webhook secret',
      () => post(batchFrom('aws-eu-west-1'), { secret: secret('general-webhook') }),
    ],
    [
      'a timestamp 10 minutes old (a replay)',
      () => post(batchFrom('aws-eu-west-1'), { secret: AWS_SECRET, timestamp: NOW_S - 600 }),
    ],
    [
      'a batch naming another peer than the one that signed it',
      () => post(batchFrom('self-hosted'), { secret: AWS_SECRET }),
    ],
    ['a batch naming an unknown peer', () => post(batchFrom('mallory'), { secret: AWS_SECRET })],
    [
      'a body changed after signing',
      () => {
        const signed = post(batchFrom('aws-eu-west-1'), { secret: AWS_SECRET });
        return {
          ...signed,
          body: new Uint8Array(Buffer.from(batchFrom('aws-eu-west-1').replace('down', 'up '))),
        };
      },
    ],
  ])('refuses %s with 401 and stores nothing', async (_name, build) => {
    const response = await acceptWebhook(build(), deps());
    expect(response.status).toBe(401);
    expect(response.body).toBe('{"error":"unauthorized"}');
    await expectNothingStored();
  });

  it('refuses a peer batch on the general webhook route without the general secret', async () => {
    const signed = post(batchFrom('aws-eu-west-1'), { secret: AWS_SECRET });
    const response = await acceptWebhook({ ...signed, path: '/api/webhook' }, deps());
    expect(response.status).toBe(401);
    await expectNothingStored();
  });

  it('answers 401, not 404, when this deployment has no peers', async () => {
    const response = await acceptWebhook(post(batchFrom('aws-eu-west-1'), { secret: AWS_SECRET }), {
      ...deps(),
      peers: [],
    });
    expect(response.status).toBe(401);
    await expectNothingStored();
  });
});

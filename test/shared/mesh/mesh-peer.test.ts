import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeDefaultQuorum,
  countExpectedVantages,
  type MeshPeer,
  pullPeerStatus,
} from '../../../shared/mesh/mesh-peer.ts';

const peer = (id: string, fields: Partial<MeshPeer> = {}): MeshPeer => ({
  id,
  url: null,
  secret: null,
  statusUrl: null,
  ...fields,
});
const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

describe('the default quorum for the three shapes', () => {
  it('is 1 for a deployment alone: it judges from its own vantage', () => {
    expect(countExpectedVantages([])).toBe(1);
    expect(computeDefaultQuorum([])).toBe(1);
  });

  it('is 2 of 2 for Azure + AWS: both must fail for provider-outage', () => {
    expect(computeDefaultQuorum([peer('aws', { secret: SECRET })])).toBe(2);
  });

  it('is 2 of 3 for Azure + AWS + a self-hosted runner: one dark vantage does not stop a verdict', () => {
    const peers = [peer('aws', { secret: SECRET }), peer('self-hosted', { secret: SECRET })];
    expect(countExpectedVantages(peers)).toBe(3);
    expect(computeDefaultQuorum(peers)).toBe(2);
  });

  it('does not count a peer that is only watched (no results come from it)', () => {
    expect(computeDefaultQuorum([peer('watched', { statusUrl: 'https://x/api/status' })])).toBe(1);
  });
});

describe('pullPeerStatus', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url?.startsWith('/ok')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ heartbeat: { lastHeartbeatAt: '2026-02-02T19:00:00.000Z' } }));
      } else {
        response.writeHead(403);
        response.end('forbidden');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the heartbeat of a reachable peer', async () => {
    const pull = await pullPeerStatus(
      peer('azure', { statusUrl: `${base}/ok?code=secret-key` }),
      fetch,
      5000,
    );
    expect(pull).toEqual({
      peer: 'azure',
      reachable: true,
      reason: null,
      lastHeartbeatAt: '2026-02-02T19:00:00.000Z',
    });
  });

  it('reports an unreachable peer by status, never by URL', async () => {
    const pull = await pullPeerStatus(
      peer('azure', { statusUrl: `${base}/denied?code=secret-key` }),
      fetch,
      5000,
    );
    expect(pull).toEqual({ peer: 'azure', reachable: false, reason: 'HTTP 403', lastHeartbeatAt: null });
    expect(JSON.stringify(pull)).not.toContain('secret-key');
  });

  it('leaves a pushing peer (no status URL) to its batches', async () => {
    const pull = await pullPeerStatus(peer('self-hosted', { secret: SECRET }), fetch, 5000);
    expect(pull.reason).toBe('push');
  });
});

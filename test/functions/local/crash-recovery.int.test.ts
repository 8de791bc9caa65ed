/**
 * kill -9 in the middle of a delivery, on the whole runner (child processes, real SQLite, a real
 * Standard Webhooks sink over loopback): the destination receives the notification and the runner
 * is killed before it hears back. The next runner on the same data directory finds the delivery
 * leased by a process that no longer exists and sends it again within seconds — not after the
 * lease (60 s here) — with the same webhook-id.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpServer } from '../../helpers/loopback-servers.ts';
import { postServiceHealthIncident, spawnRunner } from '../../helpers/spawn-runner.ts';

const TOKEN = 'crash-token-0123456789abcdef0123';
const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const LEASE_MS = 60_000;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-crash-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a delivery leased by a runner killed with SIGKILL is sent by the next runner within seconds', async () => {
  const arrivals: { webhookId: string; at: number }[] = [];
  let onFirst: () => void = () => undefined;
  const destination = await startHttpServer((request, response) => {
    arrivals.push({ webhookId: String(request.headers['webhook-id']), at: performance.now() });
    request.resume();
    if (arrivals.length === 1) {
      onFirst(); // the sender dies before it hears back
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  const configPath = join(dir, 'crosswatch.config.json');
  const dataDir = join(dir, 'data');
  await writeFile(
    configPath,
    JSON.stringify({
      webhook: { tokens: [TOKEN] },
      probes: { enabled: false },
      notify: {
        sinks: [
          {
            name: 'hook',
            kind: 'webhook',
            url: `${destination.url}/hook`,
            secret: SECRET,
            allowInsecure: true,
            allowPrivate: true,
          },
        ],
        defaultRoute: { sinks: ['hook'] },
        outbox: { leaseMs: LEASE_MS },
      },
    }),
  );
  try {
    const first = await spawnRunner(configPath, dataDir);
    onFirst = () => first.child.kill('SIGKILL');
    const exited = once(first.child, 'exit');
    expect(await postServiceHealthIncident(first.url, TOKEN)).toBe(202);
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
    expect(arrivals).toHaveLength(1);

    const second = await spawnRunner(configPath, dataDir);
    const startedAt = performance.now();
    try {
      const until = startedAt + LEASE_MS / 3;
      while (arrivals.length < 2 && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(arrivals, second.output()).toHaveLength(2);
      expect(arrivals[1]?.webhookId).toBe(arrivals[0]?.webhookId);
      // Reclaimed on sight of the dead holder: well within the 60 s lease.
      expect((arrivals[1]?.at ?? Number.POSITIVE_INFINITY) - startedAt).toBeLessThan(LEASE_MS / 3);
    } finally {
      second.child.kill('SIGTERM');
      const [code] = await once(second.child, 'exit');
      expect(code, second.output()).toBe(0);
    }
  } finally {
    await destination.close();
  }
}, 60_000);

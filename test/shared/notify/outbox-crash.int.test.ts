/**
 * The at-least-once window, with a real crash: a child process sends a delivery through the real
 * Standard Webhooks sink and is killed (SIGKILL) while the destination holds the request, after the
 * message arrived and before the child could mark it delivered. The delivery stays pending under
 * the dead worker's lease. The lease names its holder (host and pid): the next worker on this host
 * sees that process is gone and sends it again at once, with the same `webhook-id` (the delivery
 * id), which is how a receiver deduplicates it. A holder that is alive keeps its lease, renewed
 * while its attempt lasts, until the lease runs out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createSink } from '../../../shared/notify/create-sink.ts';
import { type DeliveryRecord, OUTBOX_COLLECTIONS } from '../../../shared/notify/delivery-record.ts';
import { enqueueNotifications } from '../../../shared/notify/enqueue-notifications.ts';
import { DEFAULT_OUTBOX_SETTINGS } from '../../../shared/notify/outbox-settings.ts';
import { runOutboxOnce } from '../../../shared/notify/outbox-worker.ts';
import { createSqliteStore } from '../../../shared/store/sqlite-store.ts';
import { startHttpServer } from '../../helpers/loopback-servers.ts';
import { buildDecision, buildTestMessage, routeAllTo, T0 } from '../../helpers/outbox-fixtures.ts';

const CHILD = fileURLToPath(new URL('../../helpers/outbox-worker-child.ts', import.meta.url));
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'crosswatch-outbox-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a worker killed between "sent" and "marked delivered" leads to one re-send with the same webhook-id', async () => {
  const path = join(dir, 'state.db');
  const store = createSqliteStore({ path });
  const decision = buildDecision();
  const id = `${decision.id}:hook`;
  await enqueueNotifications([decision], {
    store,
    routing: routeAllTo(['hook']),
    now: () => new Date(T0),
    buildMessage: (d) => buildTestMessage(d),
  });

  const webhookIds: string[] = [];
  let killChild: () => void = () => undefined;
  let crashMode = true;
  const server = await startHttpServer((request, response) => {
    webhookIds.push(String(request.headers['webhook-id']));
    request.resume();
    if (crashMode) {
      // The message has arrived; the sender dies before it hears back.
      killChild();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, path, `${server.url}/hooks/crosswatch`, SECRET, new Date(T0).toISOString()],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    killChild = () => child.kill('SIGKILL');
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, s) => resolve(s)),
    );
    expect(signal, stderr).toBe('SIGKILL');
    expect(stdout).toBe('ready\n');
    expect(webhookIds).toEqual([id]);

    const crashed = (await store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, id))?.value;
    expect(crashed).toMatchObject({
      status: 'pending',
      attempts: 1,
      lease: { owner: 'child', host: hostname(), pid: child.pid },
    });

    crashMode = false;
    const sink = createSink({
      kind: 'webhook',
      name: 'hook',
      url: `${server.url}/hooks/crosswatch`,
      secret: SECRET,
      allowInsecure: true,
      allowPrivate: true,
    });
    const deps = { store, sinks: [sink], settings: DEFAULT_OUTBOX_SETTINGS, workerId: 'restarted' };
    // Had the holder been alive (another host, say), its lease would hold the delivery until it ends.
    const alive = await runOutboxOnce({
      ...deps,
      now: () => new Date(T0 + 1000),
      isLeaseHolderGone: () => false,
    });
    expect(alive.delivered).toBe(0);
    expect(webhookIds).toHaveLength(1);
    // The holder's process is gone from this host: taken over at once, well within the lease, and
    // sent again with the same webhook-id — at least once, deduplicable by the receiver.
    const after = await runOutboxOnce({ ...deps, now: () => new Date(T0 + 1000) });
    expect(after.delivered).toBe(1);
    expect(webhookIds).toEqual([id, id]);
    const final = (await store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, id))?.value;
    expect(final).toMatchObject({ status: 'delivered', attempts: 2, lease: null });
    expect(final?.history.map((attempt) => attempt.attempt)).toEqual([2]);
  } finally {
    await server.close();
    await store.close();
  }
});

/**
 * Outbox leases on the real clock: a claim is short and renewed while its attempt lasts, so a slow
 * but live sender keeps its delivery (no second worker sends it meanwhile), and the lease names its
 * holder's host and process. Scripted sinks (outbox-fixtures.ts) stand in for destinations: what is
 * tested is the worker's claim bookkeeping, not a transport. (The kill -9 take-over is tested with a
 * real child process in outbox-crash.int.test.ts.)
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type DeliveryRecord, OUTBOX_COLLECTIONS } from '../../../shared/notify/delivery-record.ts';
import { enqueueNotifications } from '../../../shared/notify/enqueue-notifications.ts';
import { isLeaseHolderGone } from '../../../shared/notify/lease-holder.ts';
import { DEFAULT_OUTBOX_SETTINGS } from '../../../shared/notify/outbox-settings.ts';
import { runOutboxOnce } from '../../../shared/notify/outbox-worker.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import {
  buildDecision,
  buildTestMessage,
  createScriptedSink,
  DELIVERED,
  routeAllTo,
} from '../../helpers/outbox-fixtures.ts';

const realClock = { ms: () => Date.now() };
const SETTINGS = { ...DEFAULT_OUTBOX_SETTINGS, leaseMs: 1000, attemptTimeoutMs: 10_000 };

describe('outbox leases', () => {
  it('renews the claim while a slow attempt lasts: another worker does not send it meanwhile', async () => {
    const store = createMemoryStore();
    const decision = buildDecision();
    await enqueueNotifications([decision], {
      store,
      routing: routeAllTo(['hook']),
      now: () => new Date(),
      buildMessage: (d) => buildTestMessage(d),
    });
    let release: () => void = () => undefined;
    const slow = createScriptedSink(
      'hook',
      realClock,
      () =>
        new Promise((resolve) => {
          release = () => resolve(DELIVERED);
        }),
    );
    const first = runOutboxOnce({ store, sinks: [slow], settings: SETTINGS, workerId: 'first' });
    // Two and a half leases later the first attempt is still going; its lease was renewed.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const held = (await store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, `${decision.id}:hook`))
      ?.value;
    expect(held?.lease).toMatchObject({ owner: 'first', host: hostname(), pid: process.pid });
    expect(held?.lease?.until ?? 0).toBeGreaterThan(Date.now());
    const other = createScriptedSink('hook', realClock);
    const second = await runOutboxOnce({ store, sinks: [other], settings: SETTINGS, workerId: 'second' });
    expect(second.delivered).toBe(0);
    expect(other.calls).toHaveLength(0);
    release();
    expect((await first).delivered).toBe(1);
    const final = (await store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, `${decision.id}:hook`))
      ?.value;
    expect(final).toMatchObject({ status: 'delivered', attempts: 1, lease: null });
  });

  it('judges a holder gone only when it is a process of this host that does not exist', () => {
    const self = { host: 'here', pid: 100 };
    const alive = (pid: number) => pid === 200;
    expect(isLeaseHolderGone({ host: 'here', pid: 300 }, self, alive)).toBe(true);
    expect(isLeaseHolderGone({ host: 'here', pid: 200 }, self, alive)).toBe(false);
    expect(isLeaseHolderGone({ host: 'there', pid: 300 }, self, alive)).toBe(false);
    expect(isLeaseHolderGone({ host: 'here', pid: 100 }, self, alive)).toBe(false);
    expect(isLeaseHolderGone({}, self, alive)).toBe(false);
    expect(isLeaseHolderGone(undefined, self, alive)).toBe(false);
  });
});

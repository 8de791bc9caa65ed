/**
 * The outbox contract, run on every StateStore it is deployed on (memory, SQLite file): durable
 * deliveries before sending, idempotent re-enqueue, Retry-After, backoff, max attempts / max age,
 * permanent failures, per-sink isolation and order, rate-limit pacing, dead letters and fallback,
 * lease-based claiming between concurrent workers, the at-least-once crash window, redrive, and no
 * secret in dead letters or logs. Time is a fake clock: nothing sleeps for real.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  listDeadLetters,
  listDeliveries,
  purgeFinishedDeliveries,
  RedriveError,
  redriveDelivery,
} from '../../../shared/notify/dead-letters.ts';
import { type DeliveryRecord, OUTBOX_COLLECTIONS } from '../../../shared/notify/delivery-record.ts';
import { enqueueNotifications } from '../../../shared/notify/enqueue-notifications.ts';
import type { OutboxLogger } from '../../../shared/notify/outbox-logger.ts';
import { DEFAULT_OUTBOX_SETTINGS, type OutboxSettings } from '../../../shared/notify/outbox-settings.ts';
import { createOutboxWorker, drainOutbox, runOutboxOnce } from '../../../shared/notify/outbox-worker.ts';
import type { RoutingTable } from '../../../shared/notify/routing.ts';
import type { Sink } from '../../../shared/notify/sink.ts';
import { type EvidenceArchive, type StateStore, StoreUnavailableError } from '../../../shared/store/ports.ts';
import {
  answerInTurn,
  buildDecision,
  buildTestMessage,
  createFakeClock,
  createScriptedSink,
  DELIVERED,
  type FakeClock,
  routeAllTo,
  T0,
} from '../../helpers/outbox-fixtures.ts';

/** A fresh store; `second` opens another connection to the same data (null when the backend has none). */
export type OutboxStoreFactory = () => Promise<{
  store: StateStore;
  second: () => StateStore | null;
  cleanup: () => Promise<void>;
}>;

const SETTINGS: OutboxSettings = {
  ...DEFAULT_OUTBOX_SETTINGS,
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  retryAfterCapMs: 60_000,
  maxAgeMs: 3_600_000,
  leaseMs: 30_000,
  attemptTimeoutMs: 10_000,
};

function captureLogger(): OutboxLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    warn: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
}

export function describeOutboxContract(name: string, createStore: OutboxStoreFactory): void {
  describe(`outbox on ${name}`, () => {
    let store: StateStore;
    let second: () => StateStore | null;
    let cleanup: () => Promise<void> = async () => undefined;
    let clock: FakeClock;

    async function setUp() {
      const created = await createStore();
      store = created.store;
      second = created.second;
      cleanup = created.cleanup;
      clock = createFakeClock();
    }
    afterEach(() => cleanup());

    function enqueue(decisions: ReturnType<typeof buildDecision>[], routing: RoutingTable, on = store) {
      return enqueueNotifications(decisions, {
        store: on,
        routing,
        now: clock.now,
        buildMessage: (decision) => buildTestMessage(decision),
      });
    }

    function worker(
      sinks: Sink[],
      extra: { settings?: OutboxSettings; on?: StateStore; workerId?: string } = {},
    ) {
      return createOutboxWorker({
        store: extra.on ?? store,
        sinks,
        settings: extra.settings ?? SETTINGS,
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0.5,
        ...(extra.workerId ? { workerId: extra.workerId } : {}),
      });
    }

    async function getDelivery(id: string): Promise<DeliveryRecord> {
      const item = await store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, id);
      if (!item) throw new Error(`no delivery ${id}`);
      return item.value;
    }

    it('writes one pending delivery per routed sink before anything is sent, under decisionId:sink', async () => {
      await setUp();
      const slack = createScriptedSink('slack', clock);
      const decision = buildDecision();
      const ignored = buildDecision({ kind: 'duplicate' });
      const result = await enqueue([decision, ignored], routeAllTo(['slack', 'pager']));
      expect(result.created.map((record) => record.id)).toEqual([
        `${decision.id}:slack`,
        `${decision.id}:pager`,
      ]);
      expect(result.skipped).toEqual([ignored.id]);
      expect(slack.calls).toHaveLength(0);
      const stored = await getDelivery(`${decision.id}:slack`);
      expect(stored).toMatchObject({
        status: 'pending',
        attempts: 0,
        sink: 'slack',
        decisionId: decision.id,
      });
      expect(stored.message.title).toBe(decision.title);
    });

    it('a redelivered decision re-sends nothing already delivered', async () => {
      await setUp();
      const slack = createScriptedSink('slack', clock);
      const decision = buildDecision();
      await enqueue([decision], routeAllTo(['slack']));
      const first = await worker([slack]).drain();
      expect(first.delivered).toBe(1);
      // The same decision again (queue redelivery, webhook retry, replay) — twice, one concurrently.
      const again = await Promise.all([
        enqueue([decision], routeAllTo(['slack'])),
        enqueue([decision], routeAllTo(['slack'])),
      ]);
      expect(again.flatMap((result) => result.created)).toEqual([]);
      expect(again.flatMap((result) => result.existing)).toEqual([
        `${decision.id}:slack`,
        `${decision.id}:slack`,
      ]);
      const second = await worker([slack]).drain();
      expect(second.delivered).toBe(0);
      expect(slack.calls.map((call) => call.deliveryId)).toEqual([`${decision.id}:slack`]);
      expect((await getDelivery(`${decision.id}:slack`)).status).toBe('delivered');
    });

    it('honours Retry-After: 2 — the retry is not sent sooner than 2 s later', async () => {
      await setUp();
      const slack = createScriptedSink(
        'slack',
        clock,
        answerInTurn(
          { outcome: 'retry-after', status: 429, retryAfterMs: 2000, detail: 'HTTP 429' },
          DELIVERED,
        ),
      );
      await enqueue([buildDecision()], routeAllTo(['slack']));
      const summary = await worker([slack]).drain();
      expect(summary).toMatchObject({ delivered: 1, retried: 1, dead: 0 });
      const [first, retry] = slack.calls;
      expect(retry?.attempt).toBe(2);
      expect((retry?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2000);
    });

    it('caps a huge Retry-After without blocking other sinks', async () => {
      await setUp();
      const slow = createScriptedSink(
        'teams',
        clock,
        answerInTurn(
          { outcome: 'retry-after', status: 429, retryAfterMs: 86_400_000, detail: 'HTTP 429' },
          DELIVERED,
        ),
      );
      const other = createScriptedSink('slack', clock);
      await enqueue([buildDecision(), buildDecision()], routeAllTo(['teams', 'slack']));
      const once = await worker([slow, other]).runOnce();
      expect(once.sinks.find((s) => s.sink === 'slack')).toMatchObject({ delivered: 2 });
      const teams = once.sinks.find((s) => s.sink === 'teams');
      expect(teams).toMatchObject({ delivered: 0, retried: 1 });
      // Parked for the cap (60 s), not for a day.
      expect((teams?.nextDueAt ?? 0) - (slow.calls[0]?.at ?? 0)).toBe(SETTINGS.retryAfterCapMs);
    });

    it('backs off transient failures exponentially with jitter, then dead-letters at max attempts', async () => {
      await setUp();
      const flaky = createScriptedSink('hook', clock, () => ({
        outcome: 'transient',
        status: 503,
        detail: 'HTTP 503',
      }));
      const [decision] = [buildDecision()];
      await enqueue([decision], routeAllTo(['hook']));
      const summary = await worker([flaky]).drain();
      expect(summary).toMatchObject({ delivered: 0, retried: 4, dead: 1 });
      const gaps = flaky.calls.slice(1).map((call, index) => call.at - (flaky.calls[index]?.at ?? 0));
      // random() = 0.5: half of 1 s, 2 s, 4 s, 8 s.
      expect(gaps).toEqual([500, 1000, 2000, 4000]);
      const dead = await getDelivery(`${decision.id}:hook`);
      expect(dead.status).toBe('dead');
      expect(dead.attempts).toBe(5);
      expect(dead.deadReason).toMatch(/^max attempts \(5\) reached; last: transient \(503\): HTTP 503/);
      expect(dead.history).toHaveLength(5);
    });

    it('never retries a permanent failure', async () => {
      await setUp();
      const gone = createScriptedSink('hook', clock, () => ({
        outcome: 'permanent',
        status: 410,
        detail: 'HTTP 410 Gone',
      }));
      const decision = buildDecision();
      await enqueue([decision], routeAllTo(['hook']));
      const summary = await worker([gone]).drain();
      expect(summary).toMatchObject({ delivered: 0, retried: 0, dead: 1 });
      expect(gone.calls).toHaveLength(1);
      expect((await getDelivery(`${decision.id}:hook`)).deadReason).toBe(
        'permanent failure: permanent (410): HTTP 410 Gone',
      );
    });

    it('dead-letters a delivery whose next attempt would fall after max age, with the reason', async () => {
      await setUp();
      const flaky = createScriptedSink('hook', clock, () => ({
        outcome: 'transient',
        status: null,
        detail: 'ECONNRESET',
      }));
      const decision = buildDecision();
      await enqueue([decision], routeAllTo(['hook']));
      const settings = { ...SETTINGS, maxAttempts: 100, maxAgeMs: 5000 };
      await worker([flaky], { settings }).drain();
      const dead = await getDelivery(`${decision.id}:hook`);
      expect(dead.status).toBe('dead');
      expect(dead.deadReason).toMatch(
        /^max age 5000 ms would be exceeded before the next attempt; last: transient: ECONNRESET/,
      );
      // 0 s, +0.5, +1, +2 → the next (+4) would end at 7.5 s > 5 s.
      expect(flaky.calls).toHaveLength(4);
    });

    it('dead-letters a delivery that has waited past max age before its first attempt', async () => {
      await setUp();
      const hook = createScriptedSink('hook', clock);
      const decision = buildDecision();
      await enqueue([decision], routeAllTo(['hook']));
      clock.advance(SETTINGS.maxAgeMs + 1);
      await worker([hook]).drain();
      expect(hook.calls).toHaveLength(0);
      expect((await getDelivery(`${decision.id}:hook`)).deadReason).toMatch(
        /^max age 3600000 ms exceeded after 0 attempt/,
      );
    });

    it('one permanently failing sink does not delay the others', async () => {
      await setUp();
      const broken = createScriptedSink('teams', clock, () => ({
        outcome: 'permanent',
        status: 404,
        detail: 'HTTP 404',
      }));
      const good = createScriptedSink('slack', clock);
      const decisions = Array.from({ length: 5 }, () => buildDecision());
      await enqueue(decisions, routeAllTo(['teams', 'slack']));
      const summary = await worker([broken, good]).runOnce();
      expect(summary.sinks.find((s) => s.sink === 'slack')).toMatchObject({ delivered: 5, nextDueAt: null });
      expect(summary.sinks.find((s) => s.sink === 'teams')).toMatchObject({ dead: 5, retried: 0 });
      expect(broken.calls).toHaveLength(5);
      // No virtual time passed: nothing waited on the broken sink.
      expect(clock.sleeps).toEqual([]);
    });

    it('a sink that hangs is aborted at the attempt timeout while the others deliver', async () => {
      await setUp();
      const events: string[] = [];
      const hanging: Sink = {
        name: 'hang',
        kind: 'webhook',
        rateLimit: null,
        send: (_message, context) =>
          new Promise((resolve) => {
            events.push('hang:start');
            context.signal.addEventListener('abort', () => {
              events.push('hang:aborted');
              resolve({ outcome: 'transient', status: null, detail: 'aborted' });
            });
          }),
      };
      const good = createScriptedSink('slack', clock, () => {
        events.push('slack:delivered');
        return DELIVERED;
      });
      await enqueue([buildDecision(), buildDecision(), buildDecision()], routeAllTo(['hang', 'slack']));
      // A real (short) attempt timeout: the assertion is about order, not duration.
      const summary = await worker([hanging, good], {
        settings: { ...SETTINGS, attemptTimeoutMs: 100 },
      }).runOnce();
      expect(events.filter((event) => event === 'slack:delivered')).toHaveLength(3);
      expect(events.lastIndexOf('slack:delivered')).toBeLessThan(events.indexOf('hang:aborted'));
      expect(events.indexOf('hang:start')).toBeLessThan(events.indexOf('hang:aborted'));
      expect(summary.sinks.find((s) => s.sink === 'hang')).toMatchObject({ retried: 1, delivered: 0 });
      const pending = (await listDeliveries(store, { status: 'pending' })).find(
        (record) => record.attempts > 0,
      );
      expect(pending?.lastAttempt).toMatchObject({ outcome: 'timeout', detail: 'no answer within 100 ms' });
    });

    it('paces a rate-limited sink (1/s) and keeps the order of its messages', async () => {
      await setUp();
      const slack = createScriptedSink('slack', clock, () => DELIVERED, {
        kind: 'slack',
        rateLimit: { requests: 1, perMs: 1000 },
      });
      const decisions = Array.from({ length: 10 }, (_, i) =>
        buildDecision({ decidedAt: new Date(T0 + i * 100).toISOString() }),
      );
      // Queued in one second, out of order in the call: the queue orders by decision time.
      await enqueue([...decisions].reverse(), routeAllTo(['slack']));
      await worker([slack]).drain();
      expect(slack.calls.map((call) => call.title)).toEqual(decisions.map((decision) => decision.title));
      const gaps = slack.calls.slice(1).map((call, index) => call.at - (slack.calls[index]?.at ?? 0));
      expect(gaps.every((gap) => gap >= 1000)).toBe(true);
    });

    it('a dead letter fires the fallback chain, sink after sink', async () => {
      await setUp();
      const teams = createScriptedSink('teams', clock, () => ({
        outcome: 'permanent',
        status: 403,
        detail: 'HTTP 403',
      }));
      const sms = createScriptedSink('sms', clock, () => ({
        outcome: 'permanent',
        status: 400,
        detail: 'InvalidParameter',
      }));
      const slack = createScriptedSink('slack', clock);
      const decision = buildDecision();
      const routing: RoutingTable = {
        routes: [
          { match: { providers: ['azure'] }, sinks: ['teams'], continue: false, fallback: ['sms', 'slack'] },
        ],
        defaultRoute: { sinks: [], fallback: [] },
      };
      await enqueue([decision], routing);
      const summary = await worker([teams, sms, slack]).drain();
      expect(summary).toMatchObject({ delivered: 1, dead: 2 });
      expect(slack.calls.map((call) => call.deliveryId)).toEqual([`${decision.id}:slack`]);
      const viaSms = await getDelivery(`${decision.id}:sms`);
      expect(viaSms).toMatchObject({
        status: 'dead',
        rule: 'fallback of teams',
        fallbackOf: `${decision.id}:teams`,
      });
      expect(await getDelivery(`${decision.id}:slack`)).toMatchObject({
        status: 'delivered',
        fallbackOf: `${decision.id}:sms`,
        fallback: [],
      });
    });

    it('two concurrent workers never send the same delivery twice', async () => {
      await setUp();
      const otherStore = second() ?? store;
      const seen: string[] = [];
      const script = async (call: { deliveryId: string }) => {
        seen.push(call.deliveryId);
        // Yield so the other worker gets every chance to interleave.
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
        return DELIVERED;
      };
      const a = createScriptedSink('hook', clock, script);
      const b = createScriptedSink('hook', clock, script);
      const decisions = Array.from({ length: 20 }, () => buildDecision());
      await enqueue(decisions, routeAllTo(['hook']));
      const [ra, rb] = await Promise.all([
        worker([a], { workerId: 'worker-a' }).drain(),
        worker([b], { workerId: 'worker-b', on: otherStore }).drain(),
      ]);
      expect((ra?.delivered ?? 0) + (rb?.delivered ?? 0)).toBe(20);
      expect(seen).toHaveLength(20);
      expect(new Set(seen).size).toBe(20);
      if (otherStore !== store) await otherStore.close();
    });

    it('a crash between "sent" and "marked delivered" re-sends once the lease expires (at-least-once)', async () => {
      await setUp();
      // The store fails exactly the write that records the delivered outcome.
      let failed = false;
      const crashing: StateStore = {
        kind: store.kind,
        get: (c, k) => store.get(c, k),
        getMany: (c, k) => store.getMany(c, k),
        putMany: (c, i) => store.putMany(c, i),
        list: (c, o) => store.list(c, o),
        delete: (c, k, o) => store.delete(c, k, o),
        purgeExpired: (c, n) => store.purgeExpired(c, n),
        close: () => store.close(),
        put: (collection, key, value, options) => {
          const status = (value as { status?: string } | null)?.status;
          if (!failed && collection === OUTBOX_COLLECTIONS.deliveries && status === 'delivered') {
            failed = true;
            return Promise.reject(new StoreUnavailableError('disk gone'));
          }
          return store.put(collection, key, value, options);
        },
      };
      const hook = createScriptedSink('hook', clock);
      const decision = buildDecision();
      const id = `${decision.id}:hook`;
      await enqueue([decision], routeAllTo(['hook']));
      const crashed = await worker([hook], { on: crashing, workerId: 'crashed' }).runOnce();
      expect(crashed.sinks[0]?.error).toBe('StoreUnavailableError');
      expect(hook.calls).toHaveLength(1);
      // Still pending, still leased by the crashed worker: a restarted worker waits for the lease…
      expect((await getDelivery(id)).lease?.owner).toBe('crashed');
      await worker([hook], { workerId: 'restarted' }).runOnce();
      expect(hook.calls).toHaveLength(1);
      // …and once it expires, sends it again: the sink sees the same delivery id twice.
      clock.advance(SETTINGS.leaseMs + 1);
      const recovered = await worker([hook], { workerId: 'restarted' }).runOnce();
      expect(recovered.delivered).toBe(1);
      expect(hook.calls.map((call) => [call.deliveryId, call.attempt])).toEqual([
        [id, 1],
        [id, 2],
      ]);
      expect(await getDelivery(id)).toMatchObject({ status: 'delivered', attempts: 2 });
      // Delivered now: never again.
      await worker([hook]).drain();
      expect(hook.calls).toHaveLength(2);
    });

    it('a worker whose lease expired mid-send leaves the outcome to the worker that took over', async () => {
      await setUp();
      const decision = buildDecision();
      const id = `${decision.id}:hook`;
      await enqueue([decision], routeAllTo(['hook']));
      const taker = createScriptedSink('hook', clock);
      const logger = captureLogger();
      let takeover: Awaited<ReturnType<ReturnType<typeof worker>['runOnce']>> | undefined;
      const slow = createScriptedSink('hook', clock, async () => {
        // The send outlives the lease; meanwhile another worker claims the delivery and sends it.
        clock.advance(SETTINGS.leaseMs + 1);
        takeover = await worker([taker], { workerId: 'taker' }).runOnce();
        return DELIVERED;
      });
      const slowRun = await createOutboxWorker({
        store,
        sinks: [slow],
        settings: SETTINGS,
        now: clock.now,
        sleep: clock.sleep,
        workerId: 'slow',
        logger,
      }).runOnce();
      expect(takeover?.delivered).toBe(1);
      expect(slowRun.delivered).toBe(0);
      expect(logger.lines.some((line) => line.startsWith('outbox: lease lost'))).toBe(true);
      expect([...slow.calls, ...taker.calls].map((call) => call.attempt)).toEqual([1, 2]);
      expect(await getDelivery(id)).toMatchObject({ status: 'delivered', attempts: 2 });
    });

    it('redrive re-queues a dead letter at the head of its queue', async () => {
      await setUp();
      let healthy = false;
      const hook = createScriptedSink('hook', clock, () =>
        healthy ? DELIVERED : { outcome: 'permanent', status: 401, detail: 'HTTP 401' },
      );
      const decision = buildDecision();
      const id = `${decision.id}:hook`;
      await enqueue([decision], routeAllTo(['hook']));
      await worker([hook]).drain();
      expect((await listDeadLetters(store)).map((record) => record.id)).toEqual([id]);
      await expect(redriveDelivery(store, 'nope:hook', clock.now())).rejects.toBeInstanceOf(RedriveError);
      healthy = true;
      const redriven = await redriveDelivery(store, id, clock.now());
      expect(redriven).toMatchObject({ status: 'pending', attempts: 0, redrives: 1, deadReason: null });
      await worker([hook]).drain();
      expect(await getDelivery(id)).toMatchObject({ status: 'delivered', attempts: 1, redrives: 1 });
      await expect(redriveDelivery(store, id, clock.now())).rejects.toThrow(/is delivered, not dead/);
      expect(await listDeadLetters(store)).toEqual([]);
    });

    it('keeps secrets out of dead letters and logs when a sink throws with one', async () => {
      await setUp();
      const SENTINEL = 'SENTINEL-SECRET-7f3a9c';
      const leaky: Sink = {
        name: 'hook',
        kind: 'webhook',
        rateLimit: null,
        send: async () => {
          throw new Error(
            `connect ECONNREFUSED https://hooks.example.com/services/${SENTINEL}?token=${SENTINEL}`,
          );
        },
      };
      const logger = captureLogger();
      const decision = buildDecision();
      await enqueue([decision], routeAllTo(['hook']));
      await drainOutbox({
        store,
        sinks: [leaky],
        settings: { ...SETTINGS, maxAttempts: 2 },
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0,
        logger,
      });
      const dead = await getDelivery(`${decision.id}:hook`);
      expect(dead.status).toBe('dead');
      expect(dead.deadReason).toBe('max attempts (2) reached; last: error: the sink threw Error');
      // A sink that forgot to redact its detail: the outbox masks URL paths and token shapes too.
      const careless = createScriptedSink('careless', clock, () => ({
        outcome: 'permanent',
        status: 404,
        detail: `HTTP 404 from https://hooks.slack.com/services/${SENTINEL} routing_key=${SENTINEL}`,
      }));
      const other = buildDecision();
      await enqueue([other], routeAllTo(['careless']));
      await drainOutbox({
        store,
        sinks: [careless],
        settings: SETTINGS,
        now: clock.now,
        sleep: clock.sleep,
        logger,
      });
      const deadToo = await getDelivery(`${other.id}:careless`);
      expect(deadToo.deadReason).toContain('HTTP 404 from https://hooks.slack.com/');
      expect(JSON.stringify(deadToo)).not.toContain(SENTINEL);
      expect(JSON.stringify(dead)).not.toContain(SENTINEL);
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(logger.lines.join('\n')).not.toContain(SENTINEL);
    });

    it('records receipts and archives them as delivery evidence', async () => {
      await setUp();
      const archived: { kind: string; body: Record<string, unknown> }[] = [];
      const evidence: EvidenceArchive = {
        kind: 'test',
        async put(bytes, meta) {
          archived.push({ kind: meta.kind, body: JSON.parse(Buffer.from(bytes).toString('utf8')) });
          return {
            contentHash: `sha256:${archived.length}`,
            bytes: bytes.length,
            contentType: meta.contentType,
            receivedAt: clock.now().toISOString(),
            kind: meta.kind,
          };
        },
        async putMany(items) {
          const records = [];
          for (const item of items) records.push(await this.put(item.bytes, item));
          return records;
        },
        get: async () => undefined,
        purgeBefore: async () => 0,
      };
      const slack = createScriptedSink('slack', clock, () => ({
        outcome: 'delivered',
        status: 200,
        receipt: 'ts-1234',
        detail: 'HTTP 200 ok',
      }));
      const decision = buildDecision();
      await enqueue([decision], routeAllTo(['slack']));
      await runOutboxOnce({ store, sinks: [slack], now: clock.now, sleep: clock.sleep, evidence });
      const record = await getDelivery(`${decision.id}:slack`);
      expect(record).toMatchObject({
        status: 'delivered',
        receipt: 'ts-1234',
        attempts: 1,
        evidence: 'sha256:1',
        deliveredAt: clock.now().toISOString(),
      });
      expect(archived).toEqual([
        {
          kind: 'delivery:slack',
          body: expect.objectContaining({
            deliveryId: `${decision.id}:slack`,
            status: 'delivered',
            receipt: 'ts-1234',
          }),
        },
      ]);
      // The queue entry is gone once the delivery is final.
      expect((await store.list(OUTBOX_COLLECTIONS.queue)).items).toEqual([]);
      // Kept for retentionMs (for `crosswatch deliveries` and audits), then purged.
      expect(await purgeFinishedDeliveries(store, new Date(clock.ms() + SETTINGS.retentionMs - 1))).toBe(0);
      expect(await purgeFinishedDeliveries(store, new Date(clock.ms() + SETTINGS.retentionMs + 1))).toBe(1);
      expect(await listDeliveries(store)).toEqual([]);
    });
  });
}

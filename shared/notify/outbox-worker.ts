/**
 * The durable notification outbox, send side (enqueue-notifications.ts writes the deliveries).
 *
 * Send (`createOutboxWorker` → `runOnce` / `drain`, or the one-shot `runOutboxOnce` / `drainOutbox`):
 * - each sink has its own queue and its own loop, so a failing or slow sink never delays the others;
 *   within a sink, deliveries go out one at a time in queue order (a delivery waiting for its retry
 *   holds back the ones behind it: order over throughput);
 * - a delivery is claimed with a conditional write that sets a lease (owner + expiry), so two workers
 *   never send the same delivery at the same time; the sink's client-side rate limit
 *   (`sink.rateLimit`: Slack 1/s, Teams 4/s, PagerDuty 120/min) paces the sends;
 * - outcomes: `delivered` is recorded with its receipt; `permanent` (400/401/403/404/410, a refused
 *   destination) is never retried; `retry-after` waits what the destination asked, capped at
 *   `retryAfterCapMs`; `transient` (5xx, timeouts, resets) backs off exponentially with full jitter;
 *   after `maxAttempts`, or `maxAgeMs` after it was queued, the delivery becomes a dead letter;
 * - a dead letter keeps its reason (details are redacted by the sinks; a sink that throws is recorded
 *   by its error's name only) and fires its rule's fallback chain: a new delivery to the next sink of
 *   the chain, which continues down the chain if it dead-letters too.
 *
 * At-least-once, not exactly-once: a crash (or a failed store write) between "the sink accepted it"
 * and "marked delivered" leaves the delivery pending under a lease; when the lease expires another
 * run claims it and sends it AGAIN. That duplicate is idempotent where the sink supports it: the
 * delivery id travels as the Standard Webhooks `webhook-id`, PagerDuty's `dedup_key` and Opsgenie's
 * `alias` are per incident, so the second send updates the same alert; Slack, Teams, email and SMS
 * show the message twice. Crosswatch prefers a duplicate to a lost alert (as Alertmanager does).
 */

import { clipRedacted } from '../observability/redact.ts';
import { ConflictError, type EvidenceArchive, type StateStore, type StoredItem } from '../store/ports.ts';
import { capRetryAfter, computeBackoffDelay } from './backoff.ts';
import { createDelivery, newDeliveryRecord } from './create-delivery.ts';
import {
  type DeliveryAttempt,
  type DeliveryRecord,
  HISTORY_SIZE,
  OUTBOX_COLLECTIONS,
  type QueueEntry,
  readOrderKey,
  toDeliveryId,
} from './delivery-record.ts';
import { describeThisProcess, isLeaseHolderGone, type LeaseHolder } from './lease-holder.ts';
import { type OutboxLogger, SILENT_LOGGER } from './outbox-logger.ts';
import { DEFAULT_OUTBOX_SETTINGS, type OutboxSettings } from './outbox-settings.ts';
import { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
import type { OutboxSink, SendResult } from './sink.ts';

/** Real sleep, cut short by the signal. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface OutboxWorkerDeps {
  readonly store: StateStore;
  readonly sinks: readonly OutboxSink[];
  readonly settings?: OutboxSettings;
  readonly now?: () => Date;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** [0, 1): the jitter source. */
  readonly random?: () => number;
  readonly logger?: OutboxLogger;
  /** When given, each final receipt is stored as evidence (kind `delivery:<sink>`). */
  readonly evidence?: EvidenceArchive;
  /** Names this worker's leases (default: host, process id and a random part). */
  readonly workerId?: string;
  /** The process that holds this worker's leases (default: this one). */
  readonly leaseHolder?: LeaseHolder;
  /** Whether a lease's holder is certainly gone (default: a process of this host that no longer exists). */
  readonly isLeaseHolderGone?: (holder: Partial<LeaseHolder>) => boolean;
  /** Told when a run queues a delivery for a sink (a fallback), besides the run's own handling. */
  readonly onQueued?: (sinkName: string) => void;
}

export interface SinkRunSummary {
  readonly sink: string;
  readonly delivered: number;
  readonly retried: number;
  readonly dead: number;
  /** Epoch ms of the next due delivery still queued, or null when the queue is empty. */
  readonly nextDueAt: number | null;
  /** A store error stopped this sink's run (its name only). */
  readonly error: string | null;
}

export interface OutboxRunSummary {
  readonly delivered: number;
  readonly retried: number;
  readonly dead: number;
  readonly sinks: readonly SinkRunSummary[];
}

export interface DrainOptions {
  /** Stops the loops (between attempts; an attempt in flight is aborted). */
  readonly signal?: AbortSignal;
  /** Keep waiting for retries until every queue is empty (default true). false: one pass each. */
  readonly untilEmpty?: boolean;
  /** Give up waiting for a due time further than this from the start (ms). */
  readonly maxWaitMs?: number;
}

export interface OutboxWorker {
  /** One pass over every sink's queue, concurrently: sends what is due now, in order. */
  runOnce(options?: { readonly signal?: AbortSignal }): Promise<OutboxRunSummary>;
  /** One pass over one sink's queue (outbox-dispatcher.ts runs one loop per sink with it). */
  runSink(name: string, options?: { readonly signal?: AbortSignal }): Promise<SinkRunSummary>;
  /** Per-sink loops that send, wait for retries, and stop when every queue is empty (or on signal). */
  drain(options?: DrainOptions): Promise<OutboxRunSummary>;
}

/** A delivery's attempt hit attemptTimeoutMs. */
export class DeliveryTimeoutError extends Error {
  override name = 'DeliveryTimeoutError';
}

interface WorkerContext {
  readonly store: StateStore;
  readonly settings: OutboxSettings;
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly logger: OutboxLogger;
  readonly evidence: EvidenceArchive | undefined;
  readonly workerId: string;
  readonly leaseHolder: LeaseHolder;
  readonly isLeaseHolderGone: (holder: Partial<LeaseHolder>) => boolean;
  readonly limiters: Map<string, RateLimiter>;
  /** Called when a delivery is queued for a sink during a run (a fallback). */
  readonly onQueued: (sinkName: string) => void;
}

interface Counters {
  delivered: number;
  retried: number;
  dead: number;
}

const MAX_DETAIL = 500;

/** Masks URL paths, queries and token shapes, then cuts to MAX_DETAIL without leaving half of one. */
function clip(text: string): string {
  return clipRedacted(text, MAX_DETAIL, []);
}

/** What one attempt came to: the sink's result (null when it timed out or threw) and a redacted detail. */
interface AttemptOutcome {
  readonly outcome: DeliveryAttempt['outcome'];
  readonly result: SendResult | null;
  readonly detail: string;
}

/** One attempt, bounded by attemptTimeoutMs and the run's signal; never throws. */
async function attemptSend(
  sink: OutboxSink,
  record: DeliveryRecord,
  attempt: number,
  context: WorkerContext,
  signal: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const timeout = new DeliveryTimeoutError(`no answer within ${context.settings.attemptTimeoutMs} ms`);
  const timer = setTimeout(() => controller.abort(timeout), context.settings.attemptTimeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    const result = await Promise.race([
      sink.send(record.message, { deliveryId: record.id, attempt, signal: controller.signal }),
      aborted,
    ]);
    // Sinks redact their details; masking URL paths, queries and token shapes again costs little.
    return { outcome: result.outcome, result, detail: clip(String(result.detail ?? '')) };
  } catch (error) {
    if (controller.signal.reason === timeout) {
      return { outcome: 'timeout', result: null, detail: timeout.message };
    }
    if (signal?.aborted) return { outcome: 'error', result: null, detail: 'aborted: the worker is stopping' };
    // A sink must not throw; when one does, keep only the error's name: its message may hold a URL.
    const name = error instanceof Error ? error.name : typeof error;
    return { outcome: 'error', result: null, detail: `the sink threw ${name}` };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

async function storeReceipt(context: WorkerContext, record: DeliveryRecord): Promise<string | null> {
  if (!context.evidence) return null;
  const receipt = {
    deliveryId: record.id,
    decisionId: record.decisionId,
    incidentKey: record.incidentKey,
    sink: record.sink,
    status: record.status,
    rule: record.rule,
    attempts: record.attempts,
    receipt: record.receipt,
    deliveredAt: record.deliveredAt,
    deadAt: record.deadAt,
    deadReason: record.deadReason,
    history: record.history,
  };
  try {
    const stored = await context.evidence.put(Buffer.from(JSON.stringify(receipt)), {
      contentType: 'application/json',
      kind: `delivery:${record.sink}`,
    });
    return stored.contentHash;
  } catch (error) {
    context.logger.warn('outbox: receipt not archived', {
      deliveryId: record.id,
      error: error instanceof Error ? error.name : 'error',
    });
    return null;
  }
}

/**
 * Starts the fallback chain of a dead delivery: a delivery to the first sink of the chain that has
 * none for this decision yet (a sink whose delivery is already dead is skipped).
 */
async function fireFallback(context: WorkerContext, dead: DeliveryRecord): Promise<string | null> {
  for (const [position, sink] of dead.fallback.entries()) {
    const id = toDeliveryId(dead.decisionId, sink);
    const existing = await context.store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, id);
    if (existing) {
      if (existing.value.status === 'dead') continue;
      return null;
    }
    const record = newDeliveryRecord({
      id,
      decision: { id: dead.decisionId, incidentKey: dead.incidentKey },
      sink,
      orderKey: readOrderKey(dead.queueKey, dead.sink, dead.id),
      rule: `fallback of ${dead.sink}`,
      fallback: dead.fallback.slice(position + 1),
      fallbackOf: dead.id,
      message: dead.message,
      now: new Date(context.now()),
    });
    if (await createDelivery(context.store, record)) {
      context.logger.warn('outbox: fallback fired', { deliveryId: dead.id, fallback: id });
      context.onQueued(sink);
      return id;
    }
    return null;
  }
  return null;
}

async function finish(
  context: WorkerContext,
  claimed: StoredItem<DeliveryRecord>,
  next: DeliveryRecord,
): Promise<boolean> {
  let final = next;
  if (next.status !== 'pending') {
    const evidence = await storeReceipt(context, next);
    if (evidence) final = { ...final, evidence };
    // The fallback is written before the dead mark: a crash in between re-runs it idempotently.
    if (final.status === 'dead') await fireFallback(context, final);
  }
  try {
    await context.store.put(OUTBOX_COLLECTIONS.deliveries, final.id, final, {
      expectedVersion: claimed.version,
      ...(final.status === 'pending' ? {} : { expiresAt: context.now() + context.settings.retentionMs }),
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // Our lease expired and another worker took the delivery over: it owns the outcome now.
    context.logger.warn('outbox: lease lost before the outcome was recorded', { deliveryId: final.id });
    return false;
  }
  if (final.status !== 'pending') await context.store.delete(OUTBOX_COLLECTIONS.queue, final.queueKey);
  return true;
}

function appendAttempt(record: DeliveryRecord, attempt: DeliveryAttempt): DeliveryRecord {
  return {
    ...record,
    attempts: attempt.attempt,
    lastAttempt: attempt,
    history: [...record.history, attempt].slice(-HISTORY_SIZE),
  };
}

function deadLetter(record: DeliveryRecord, reason: string, at: number): DeliveryRecord {
  return {
    ...record,
    status: 'dead',
    lease: null,
    deadAt: new Date(at).toISOString(),
    deadReason: clip(reason),
  };
}

type HeadResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'wait'; readonly until: number }
  | { readonly kind: 'empty' }
  | { readonly kind: 'stop' };

/**
 * Another worker took the delivery over while we were sending (our lease expired): stop this pass
 * and look again shortly, so its queue is not sent out of order meanwhile.
 */
function leaseLost(context: WorkerContext): HeadResult {
  return { kind: 'wait', until: context.now() + 1000 };
}

/** What one queue entry led to: null to carry on with the next entry, or the end of this pass. */
type EntryResult = HeadResult | null;

/** A claimed delivery and the attempt just made on it. */
interface AttemptMade {
  readonly sink: OutboxSink;
  readonly claimed: StoredItem<DeliveryRecord>;
  readonly attempt: number;
  /** The claimed delivery with this attempt in its history. */
  readonly tried: DeliveryRecord;
  readonly sent: AttemptOutcome;
  readonly finishedAt: number;
}

/**
 * Whether the delivery must wait: another worker holds its lease (the queue is theirs until the
 * lease ends, which keeps the order) or its next attempt is not due yet. Null when it may go now.
 */
function waitForTurn(context: WorkerContext, record: DeliveryRecord, now: number): HeadResult | null {
  const lease = record.lease;
  if (lease && lease.owner !== context.workerId && lease.until > now && !context.isLeaseHolderGone(lease)) {
    // Look again soon: the other worker usually finishes long before its lease ends.
    return { kind: 'wait', until: Math.min(lease.until, now + 1000) };
  }
  if (record.nextAttemptAt > now) return { kind: 'wait', until: record.nextAttemptAt };
  return null;
}

/**
 * Claims the delivery with a conditional write that sets our lease; null when another worker wrote
 * it first. The claim counts the attempt: a crash during it still counts toward maxAttempts.
 */
async function claimDelivery(
  context: WorkerContext,
  item: StoredItem<DeliveryRecord>,
  attempt: number,
  startedAt: number,
): Promise<StoredItem<DeliveryRecord> | null> {
  const record = item.value;
  try {
    return await context.store.put(
      OUTBOX_COLLECTIONS.deliveries,
      record.id,
      {
        ...record,
        attempts: attempt,
        lease: {
          owner: context.workerId,
          until: startedAt + context.settings.leaseMs,
          host: context.leaseHolder.host,
          pid: context.leaseHolder.pid,
        },
      },
      { expectedVersion: item.version },
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    return null;
  }
}

/**
 * Keeps the claim alive while the attempt lasts: every third of leaseMs the lease is extended with a
 * conditional write, so a short lease outlasts a slow attempt but a crashed worker's lease ends soon.
 * `stop` resolves with the latest version (what the outcome is written against). A renewal that
 * finds another writer (the lease was taken over) leaves it: recording the outcome then finds out.
 */
function renewLeaseWhileSending(
  context: WorkerContext,
  claimed: StoredItem<DeliveryRecord>,
): { stop(): Promise<StoredItem<DeliveryRecord>> } {
  let current = claimed;
  let writing: Promise<void> = Promise.resolve();
  const renew = async () => {
    const { value } = current;
    if (!value.lease) return;
    try {
      current = await context.store.put(
        OUTBOX_COLLECTIONS.deliveries,
        value.id,
        { ...value, lease: { ...value.lease, until: context.now() + context.settings.leaseMs } },
        { expectedVersion: current.version },
      );
    } catch (error) {
      context.logger.warn('outbox: lease not renewed', {
        deliveryId: value.id,
        error: error instanceof ConflictError ? 'taken over' : error instanceof Error ? error.name : 'error',
      });
    }
  };
  const timer = setInterval(
    () => {
      writing = writing.then(renew);
    },
    Math.max(Math.floor(context.settings.leaseMs / 3), 1),
  );
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await writing;
      return current;
    },
  };
}

/** Marks the delivery dead (firing its fallback chain); logs it when given the reason's short name. */
async function recordDeadLetter(
  context: WorkerContext,
  counters: Counters,
  made: AttemptMade,
  reason: string,
  logReason: string | null,
): Promise<EntryResult> {
  if (!(await finish(context, made.claimed, deadLetter(made.tried, reason, made.finishedAt))))
    return leaseLost(context);
  counters.dead++;
  if (logReason !== null) {
    context.logger.warn('outbox: dead letter', {
      deliveryId: made.claimed.value.id,
      sink: made.sink.name,
      reason: logReason,
    });
  }
  return null;
}

/** The retry settings of a sink's deliveries: the outbox's, with the sink's own overrides. */
function readSinkSettings(context: WorkerContext, sink: OutboxSink): OutboxSettings {
  return sink.retry ? { ...context.settings, ...sink.retry } : context.settings;
}

/**
 * Schedules the next attempt after what the destination asked (capped) or an exponential backoff;
 * a retry that would come after the delivery's max age is a dead letter instead.
 */
async function scheduleRetry(
  context: WorkerContext,
  counters: Counters,
  made: AttemptMade,
  describe: string,
): Promise<EntryResult> {
  const { sink, claimed, attempt, tried, sent, finishedAt } = made;
  const settings = readSinkSettings(context, sink);
  const result = sent.result;
  const delay =
    result?.outcome === 'retry-after'
      ? capRetryAfter(result.retryAfterMs, settings.retryAfterCapMs)
      : computeBackoffDelay(attempt, settings, context.random);
  const nextAttemptAt = finishedAt + delay;
  if (nextAttemptAt - Date.parse(claimed.value.queuedAt) > settings.maxAgeMs) {
    const reason = `max age ${settings.maxAgeMs} ms would be exceeded before the next attempt; last: ${describe}`;
    return recordDeadLetter(context, counters, made, reason, null);
  }
  if (await finish(context, claimed, { ...tried, lease: null, nextAttemptAt })) counters.retried++;
  context.logger.info('outbox: retry scheduled', {
    deliveryId: claimed.value.id,
    sink: sink.name,
    attempt,
    outcome: sent.outcome,
    delayMs: delay,
  });
  return { kind: 'wait', until: nextAttemptAt };
}

/** Records what the attempt came to: delivered, a dead letter (permanent, max attempts), or a retry. */
async function recordOutcome(
  context: WorkerContext,
  counters: Counters,
  made: AttemptMade,
): Promise<EntryResult> {
  const { sink, claimed, attempt, tried, sent, finishedAt } = made;
  const settings = readSinkSettings(context, sink);
  const result = sent.result;
  if (result?.outcome === 'delivered') {
    const next: DeliveryRecord = {
      ...tried,
      status: 'delivered',
      lease: null,
      deliveredAt: new Date(finishedAt).toISOString(),
      receipt: result.receipt,
    };
    if (!(await finish(context, claimed, next))) return leaseLost(context);
    counters.delivered++;
    context.logger.info('outbox: delivered', { deliveryId: claimed.value.id, sink: sink.name, attempt });
    return null;
  }
  const status = result?.status ?? null;
  const describe = `${sent.outcome}${status === null ? '' : ` (${status})`}: ${sent.detail}`;
  if (result?.outcome === 'permanent') {
    return recordDeadLetter(context, counters, made, `permanent failure: ${describe}`, 'permanent');
  }
  if (attempt >= settings.maxAttempts) {
    const reason = `max attempts (${settings.maxAttempts}) reached; last: ${describe}`;
    return recordDeadLetter(context, counters, made, reason, 'max-attempts');
  }
  return scheduleRetry(context, counters, made, describe);
}

/**
 * One pending delivery at the head of its sink's queue: waits for its turn, dead-letters it past its
 * max age, or paces, claims, sends it (with its timeout) and records the outcome.
 */
async function processDelivery(
  sink: OutboxSink,
  context: WorkerContext,
  counters: Counters,
  item: StoredItem<DeliveryRecord>,
  signal: AbortSignal | undefined,
): Promise<EntryResult> {
  const settings = readSinkSettings(context, sink);
  const record = item.value;
  const now = context.now();
  const turn = waitForTurn(context, record, now);
  if (turn !== null) return turn;
  if (now - Date.parse(record.queuedAt) > settings.maxAgeMs) {
    const reason = `max age ${settings.maxAgeMs} ms exceeded after ${record.attempts} attempt(s)${record.lastAttempt ? `; last: ${record.lastAttempt.detail}` : ''}`;
    if (await finish(context, item, deadLetter(record, reason, now))) counters.dead++;
    return null;
  }
  if (signal?.aborted) return { kind: 'stop' };
  // Pace first, then claim: the lease covers the attempt, not the wait for the rate limit.
  if (!(await getLimiter(context, sink).acquire(signal))) return { kind: 'stop' };
  const startedAt = context.now();
  const attempt = record.attempts + 1;
  const firstClaim = await claimDelivery(context, item, attempt, startedAt);
  if (firstClaim === null) return { kind: 'wait', until: startedAt };
  const renewal = renewLeaseWhileSending(context, firstClaim);
  const sent = await attemptSend(sink, firstClaim.value, attempt, context, signal);
  const claimed = await renewal.stop();
  const finishedAt = context.now();
  const tried = appendAttempt(
    { ...claimed.value },
    {
      attempt,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      outcome: sent.outcome,
      status: sent.result?.status ?? null,
      detail: sent.detail,
    },
  );
  return recordOutcome(context, counters, { sink, claimed, attempt, tried, sent, finishedAt });
}

/** Handles the head of one sink's queue: drops final entries, waits, or sends one delivery. */
async function processHead(
  sink: OutboxSink,
  context: WorkerContext,
  counters: Counters,
  signal: AbortSignal | undefined,
): Promise<HeadResult> {
  const { store } = context;
  const page = await store.list<QueueEntry>(OUTBOX_COLLECTIONS.queue, { prefix: `${sink.name}|`, limit: 20 });
  let progressed = false;
  for (const entry of page.items) {
    const item = await store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, entry.value.deliveryId);
    if (!item) {
      // Purged by retention or never written: nothing to send.
      await store.delete(OUTBOX_COLLECTIONS.queue, entry.key);
      progressed = true;
      continue;
    }
    if (item.value.sink !== sink.name) continue;
    progressed = true;
    if (item.value.status !== 'pending') {
      // Final already (a crash between the mark and the queue cleanup): just clean up.
      await store.delete(OUTBOX_COLLECTIONS.queue, entry.key);
      continue;
    }
    const result = await processDelivery(sink, context, counters, item, signal);
    if (result !== null) return result;
  }
  return progressed ? { kind: 'done' } : { kind: 'empty' };
}

function getLimiter(context: WorkerContext, sink: OutboxSink): RateLimiter {
  let limiter = context.limiters.get(sink.name);
  if (!limiter) {
    limiter = createRateLimiter(sink.rateLimit, { now: context.now, sleep: context.sleep });
    context.limiters.set(sink.name, limiter);
  }
  return limiter;
}

async function runSink(
  sink: OutboxSink,
  context: WorkerContext,
  options: { signal?: AbortSignal; wait: boolean; deadline: number | null },
): Promise<SinkRunSummary> {
  const counters: Counters = { delivered: 0, retried: 0, dead: 0 };
  let nextDueAt: number | null = null;
  let error: string | null = null;
  try {
    for (;;) {
      if (options.signal?.aborted) break;
      const head = await processHead(sink, context, counters, options.signal);
      if (head.kind === 'done') continue;
      if (head.kind === 'empty') {
        nextDueAt = null;
        break;
      }
      if (head.kind === 'stop') break;
      nextDueAt = head.until;
      if (!options.wait) break;
      if (options.deadline !== null && head.until > options.deadline) break;
      await context.sleep(Math.max(head.until - context.now(), 1), options.signal);
    }
  } catch (caught) {
    error = caught instanceof Error ? caught.name : 'error';
    context.logger.warn('outbox: sink run stopped by a store error', { sink: sink.name, error });
  }
  return { sink: sink.name, ...counters, nextDueAt, error };
}

function summarize(sinks: SinkRunSummary[]): OutboxRunSummary {
  return {
    delivered: sinks.reduce((sum, s) => sum + s.delivered, 0),
    retried: sinks.reduce((sum, s) => sum + s.retried, 0),
    dead: sinks.reduce((sum, s) => sum + s.dead, 0),
    sinks,
  };
}

function mergeSummaries(results: readonly SinkRunSummary[], sinks: readonly OutboxSink[]): OutboxRunSummary {
  const merged = sinks.map((sink): SinkRunSummary => {
    const runs = results.filter((run) => run.sink === sink.name);
    const last = runs.at(-1);
    return {
      sink: sink.name,
      delivered: runs.reduce((sum, run) => sum + run.delivered, 0),
      retried: runs.reduce((sum, run) => sum + run.retried, 0),
      dead: runs.reduce((sum, run) => sum + run.dead, 0),
      nextDueAt: last?.nextDueAt ?? null,
      error: runs.find((run) => run.error !== null)?.error ?? null,
    };
  });
  return summarize(merged);
}

/**
 * Runs every sink's loop concurrently. A fallback queued for a sink whose loop already finished (or
 * is finishing) starts that loop again, so a dead letter's fallback goes out in the same run.
 */
async function runAllSinks(
  base: WorkerContext,
  sinks: readonly OutboxSink[],
  options: { signal?: AbortSignal; wait: boolean; deadline: number | null },
): Promise<OutboxRunSummary> {
  const byName = new Map(sinks.map((sink) => [sink.name, sink]));
  const results: SinkRunSummary[] = [];
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const start = (sink: OutboxSink): void => {
    if (running.has(sink.name)) {
      again.add(sink.name);
      return;
    }
    const run = runSink(sink, context, options).then((summary) => {
      results.push(summary);
      running.delete(sink.name);
      if (again.delete(sink.name) && !options.signal?.aborted) start(sink);
    });
    running.set(sink.name, run);
  };
  const context: WorkerContext = {
    ...base,
    onQueued: (name) => {
      base.onQueued(name);
      const sink = byName.get(name);
      if (sink) start(sink);
    },
  };
  for (const sink of sinks) start(sink);
  while (running.size > 0) await Promise.all([...running.values()]);
  return mergeSummaries(results, sinks);
}

/** A worker keeps its rate-limit windows across runs; create one per process. */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const nowDate = deps.now ?? (() => new Date());
  const leaseHolder = deps.leaseHolder ?? describeThisProcess();
  const context: WorkerContext = {
    store: deps.store,
    settings: deps.settings ?? DEFAULT_OUTBOX_SETTINGS,
    now: () => nowDate().getTime(),
    sleep: deps.sleep ?? sleepFor,
    random: deps.random ?? Math.random,
    logger: deps.logger ?? SILENT_LOGGER,
    evidence: deps.evidence,
    workerId:
      deps.workerId ?? `${leaseHolder.host}:${leaseHolder.pid}:${Math.random().toString(36).slice(2, 10)}`,
    leaseHolder,
    isLeaseHolderGone: deps.isLeaseHolderGone ?? ((holder) => isLeaseHolderGone(holder, leaseHolder)),
    limiters: new Map(),
    onQueued: deps.onQueued ?? (() => undefined),
  };
  const signalOption = (signal: AbortSignal | undefined) => (signal ? { signal } : {});
  return {
    runOnce(options = {}) {
      return runAllSinks(context, deps.sinks, {
        ...signalOption(options.signal),
        wait: false,
        deadline: null,
      });
    },
    async runSink(name, options = {}) {
      const sink = deps.sinks.find((candidate) => candidate.name === name);
      if (!sink) throw new Error(`no sink named ${name}`);
      return runSink(sink, context, { ...signalOption(options.signal), wait: false, deadline: null });
    },
    drain(options = {}) {
      const deadline = options.maxWaitMs === undefined ? null : context.now() + options.maxWaitMs;
      return runAllSinks(context, deps.sinks, {
        ...signalOption(options.signal),
        wait: options.untilEmpty ?? true,
        deadline,
      });
    },
  };
}

/** One pass with a fresh worker (timer-triggered runtimes). */
export function runOutboxOnce(deps: OutboxWorkerDeps, options?: { readonly signal?: AbortSignal }) {
  return createOutboxWorker(deps).runOnce(options);
}

/** Sends until every queue is empty (or the signal fires / maxWaitMs passes) with a fresh worker. */
export function drainOutbox(deps: OutboxWorkerDeps, options?: DrainOptions) {
  return createOutboxWorker(deps).drain(options);
}

/**
 * The outbox's records on the StateStore port.
 *
 *   deliveries    `<decision id>:<sink name>` → DeliveryRecord (the source of truth; one per decision × sink,
 *                 created with a create-only write, so a redelivered decision never makes a second one)
 *   outbox-queue  `<sink>|<decidedAt>|<seq>|<batch index>|<delivery id>` → { deliveryId }: the pending
 *                 deliveries of each sink in the order they were queued (listing by prefix gives one
 *                 sink's queue, oldest first). An entry is written after its delivery and deleted after
 *                 the delivery is final; the worker drops entries whose delivery is already final.
 */
import type { OutboxMessage, SendOutcome } from './sink.ts';

export const OUTBOX_COLLECTIONS = {
  deliveries: 'deliveries',
  queue: 'outbox-queue',
} as const;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttempt {
  readonly attempt: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The sink's classification, or `timeout` (aborted after attemptTimeoutMs) / `error` (the sink threw). */
  readonly outcome: SendOutcome | 'timeout' | 'error';
  readonly status: number | null;
  /** Safe to store: sinks redact their details; thrown errors are reduced to their name. */
  readonly detail: string;
}

/** Who is sending a delivery right now, until when (epoch ms); renewed while the attempt lasts. */
export interface DeliveryLease {
  readonly owner: string;
  readonly until: number;
  /** The holder's host and process id: a lease of a process gone from this host is taken over at once. */
  readonly host?: string;
  readonly pid?: number;
}

export interface DeliveryRecord {
  readonly schema: 1;
  readonly id: string;
  readonly decisionId: string;
  readonly incidentKey: string;
  readonly sink: string;
  readonly queueKey: string;
  readonly status: DeliveryStatus;
  /** The rule that routed it (`routes[0]`, a rule name, `default`, or `fallback of <sink>`). */
  readonly rule: string;
  /** Sinks still to try, in order, if this delivery dead-letters. */
  readonly fallback: readonly string[];
  /** The dead delivery this one is a fallback for. */
  readonly fallbackOf: string | null;
  readonly message: OutboxMessage;
  readonly createdAt: string;
  /** When it was (re)queued: max age counts from here (a redrive starts a new age). */
  readonly queuedAt: string;
  readonly attempts: number;
  /** Epoch ms before which it is not sent. */
  readonly nextAttemptAt: number;
  readonly lease: DeliveryLease | null;
  readonly lastAttempt: DeliveryAttempt | null;
  /** The latest attempts, oldest first (bounded). */
  readonly history: readonly DeliveryAttempt[];
  readonly deliveredAt: string | null;
  /** What the destination gave back (message id, dedup key, request id). */
  readonly receipt: string | null;
  readonly deadAt: string | null;
  /** Why it gave up: `permanent: HTTP 404 …`, `max attempts (8) reached: …`, `max age … exceeded`. */
  readonly deadReason: string | null;
  /** Content hash of the receipt stored in the evidence archive (kind `delivery:<sink>`). */
  readonly evidence: string | null;
  readonly redrives: number;
}

export interface QueueEntry {
  readonly deliveryId: string;
}

export const HISTORY_SIZE = 10;

/** Deterministic per (decision × sink): the same decision routed again finds the same record. */
export function toDeliveryId(decisionId: string, sinkName: string): string {
  return `${decisionId}:${sinkName}`;
}

/** The position part of a queue key: decision time, journal seq, position in the enqueue batch. */
export function toOrderKey(decidedAt: string, seq: number | null, batchIndex: number): string {
  return `${decidedAt}|${seq === null ? '~' : String(seq).padStart(10, '0')}|${String(batchIndex).padStart(6, '0')}`;
}

export function toQueueKey(sinkName: string, orderKey: string, deliveryId: string): string {
  return `${sinkName}|${orderKey}|${deliveryId}`;
}

/** The order key inside a queue key (to queue a fallback at its original position). */
export function readOrderKey(queueKey: string, sinkName: string, deliveryId: string): string {
  return queueKey.slice(sinkName.length + 1, queueKey.length - deliveryId.length - 1);
}

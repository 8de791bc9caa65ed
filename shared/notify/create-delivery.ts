/**
 * Writing one delivery: the record (create-only, under its deterministic id) and its queue entry. Used
 * when decisions are enqueued and when a dead letter fires its fallback chain.
 */
import type { Decision } from '../engine/decision.ts';
import { ConflictError, type StateStore } from '../store/ports.ts';
import { type DeliveryRecord, OUTBOX_COLLECTIONS, type QueueEntry, toQueueKey } from './delivery-record.ts';
import type { OutboxMessage } from './sink.ts';

export async function ensureQueued(store: StateStore, record: DeliveryRecord): Promise<void> {
  if (record.status !== 'pending') return;
  // Idempotent upsert: the same key and value every time.
  await store.put<QueueEntry>(OUTBOX_COLLECTIONS.queue, record.queueKey, { deliveryId: record.id });
}

/** Writes a delivery (create-only) and its queue entry; returns false when it already existed. */
export async function createDelivery(store: StateStore, record: DeliveryRecord): Promise<boolean> {
  try {
    await store.put(OUTBOX_COLLECTIONS.deliveries, record.id, record, { expectedVersion: null });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = await store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, record.id);
    // Re-queue a pending delivery whose queue entry a crash may have lost (idempotent).
    if (existing) await ensureQueued(store, existing.value);
    return false;
  }
  await ensureQueued(store, record);
  return true;
}

export function newDeliveryRecord(fields: {
  id: string;
  decision: Pick<Decision, 'id' | 'incidentKey'>;
  sink: string;
  orderKey: string;
  rule: string;
  fallback: readonly string[];
  fallbackOf: string | null;
  message: OutboxMessage;
  now: Date;
}): DeliveryRecord {
  const at = fields.now.toISOString();
  return {
    schema: 1,
    id: fields.id,
    decisionId: fields.decision.id,
    incidentKey: fields.decision.incidentKey,
    sink: fields.sink,
    queueKey: toQueueKey(fields.sink, fields.orderKey, fields.id),
    status: 'pending',
    rule: fields.rule,
    fallback: [...fields.fallback],
    fallbackOf: fields.fallbackOf,
    message: fields.message,
    createdAt: at,
    queuedAt: at,
    attempts: 0,
    nextAttemptAt: fields.now.getTime(),
    lease: null,
    lastAttempt: null,
    history: [],
    deliveredAt: null,
    receipt: null,
    deadAt: null,
    deadReason: null,
    evidence: null,
    redrives: 0,
  };
}

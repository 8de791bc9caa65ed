/**
 * Listing deliveries and dead letters, and redriving them. A dead letter is a DeliveryRecord with
 * status `dead` and its `deadReason`; it stays in the store (for `retentionMs`) until redriven, which
 * puts it back at the head of its sink's queue with a fresh attempt count and a new max-age window.
 */
import { type StateStore, updateItem } from '../store/ports.ts';
import {
  type DeliveryRecord,
  type DeliveryStatus,
  OUTBOX_COLLECTIONS,
  type QueueEntry,
} from './delivery-record.ts';

/** A redrive was asked for a delivery that does not exist or is not dead. */
export class RedriveError extends Error {
  override name = 'RedriveError';
  constructor(
    readonly deliveryId: string,
    problem: string,
  ) {
    super(`delivery ${deliveryId} ${problem}`);
  }
}

/** Every delivery (optionally only those with one status), ordered by creation time, then id. */
export async function listDeliveries(
  store: StateStore,
  options: { readonly status?: DeliveryStatus } = {},
): Promise<DeliveryRecord[]> {
  const records: DeliveryRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, {
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const item of page.items) {
      if (options.status === undefined || item.value.status === options.status) records.push(item.value);
    }
    cursor = page.cursor;
  } while (cursor);
  return records.sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
  );
}

export function listDeadLetters(store: StateStore): Promise<DeliveryRecord[]> {
  return listDeliveries(store, { status: 'dead' });
}

/** Re-queues one dead letter now; throws RedriveError when it is missing or not dead. */
export async function redriveDelivery(
  store: StateStore,
  deliveryId: string,
  now: Date,
): Promise<DeliveryRecord> {
  let problem: string | null = null;
  const stored = await updateItem<DeliveryRecord>(
    store,
    OUTBOX_COLLECTIONS.deliveries,
    deliveryId,
    (current) => {
      problem = null;
      if (!current) {
        problem = 'does not exist';
        return undefined;
      }
      if (current.status !== 'dead') {
        problem = `is ${current.status}, not dead: only dead letters are redriven`;
        return undefined;
      }
      return {
        ...current,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now.getTime(),
        queuedAt: now.toISOString(),
        lease: null,
        deadAt: null,
        deadReason: null,
        redrives: current.redrives + 1,
      };
    },
  );
  if (problem !== null || !stored) throw new RedriveError(deliveryId, problem ?? 'does not exist');
  // (updateItem writes without expiresAt, so retention no longer applies to the live delivery.)
  const record = stored.value;
  await store.put<QueueEntry>(OUTBOX_COLLECTIONS.queue, record.queueKey, { deliveryId: record.id });
  return record;
}

/** Re-queues every dead letter; returns the redriven records. */
export async function redriveAllDead(store: StateStore, now: Date): Promise<DeliveryRecord[]> {
  const redriven: DeliveryRecord[] = [];
  for (const dead of await listDeadLetters(store)) {
    try {
      redriven.push(await redriveDelivery(store, dead.id, now));
    } catch (error) {
      // Redriven meanwhile by someone else: nothing to do.
      if (!(error instanceof RedriveError)) throw error;
    }
  }
  return redriven;
}

/** Deletes delivered and dead deliveries past their retention; returns how many. */
export function purgeFinishedDeliveries(store: StateStore, now: Date): Promise<number> {
  return store.purgeExpired(OUTBOX_COLLECTIONS.deliveries, now.getTime());
}

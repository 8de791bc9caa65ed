/**
 * The durable notification outbox, enqueue side (called by the pipeline right after the engine):
 * every notifying decision is routed, and each (decision × routed sink) becomes a DeliveryRecord under
 * the deterministic id `<decision id>:<sink>` — written BEFORE anything is sent, with a create-only
 * write. A decision delivered again (webhook retry, queue redelivery, a replay) finds its records and
 * adds nothing, so a delivery that succeeded is never sent again. Sending is outbox-worker.ts.
 *
 * With per-subscription routing (`splitBySubscription`), each sink's message names only the
 * subscriptions routed to it. A subscription whose copy of an update arrives later (a `duplicate`)
 * gets that update through the journal recovery below: the original decision is routed again over
 * the incident's grown scope, and only the sinks without a delivery yet get one.
 */

import type { Decision } from '../engine/decision.ts';
import { isNotifying } from '../engine/decision.ts';
import { COLLECTIONS, toDocumentKey } from '../engine/engine-collections.ts';
import type { IncidentRecord } from '../engine/incident-record.ts';
import type { StateStore } from '../store/ports.ts';
import { createDelivery, ensureQueued, newDeliveryRecord } from './create-delivery.ts';
import { type DeliveryRecord, OUTBOX_COLLECTIONS, toDeliveryId, toOrderKey } from './delivery-record.ts';
import type { NotificationMessage } from './message.ts';
import { type OutboxLogger, SILENT_LOGGER } from './outbox-logger.ts';
import { describeRouteSubject, type RoutingTable, routeBySubscription } from './routing.ts';

export type BuildMessage = (
  decision: Decision,
  incident: IncidentRecord | undefined,
  /** Name only these subscriptions (a per-subscription delivery); null: all of the incident's. */
  subscriptions?: readonly string[] | null,
) => NotificationMessage | Promise<NotificationMessage>;

export interface EnqueueDeps {
  readonly store: StateStore;
  readonly routing: RoutingTable;
  readonly now?: () => Date;
  /** Builds the message (default: createNotificationMessage from message.ts, loaded on first use). */
  readonly buildMessage?: BuildMessage;
  /** Passed to the default message builder for the incident's status page link. */
  readonly statusPageBaseUrl?: string;
  /**
   * The engine's `verdict.freshnessMs`, passed to the default message builder so the headline counts
   * (and names as not heard from) the same vantages the verdict did; default: the engine's default.
   */
  readonly freshnessMs?: number;
  readonly logger?: OutboxLogger;
}

export interface EnqueueResult {
  /** Deliveries written by this call. */
  readonly created: DeliveryRecord[];
  /** Deliveries that already existed (a redelivered decision): nothing new is sent for them. */
  readonly existing: string[];
  /** Decisions that do not notify (duplicate, suppressed, observe) or that no route sends anywhere. */
  readonly skipped: string[];
}

function createDefaultBuildMessage(deps: EnqueueDeps, now: () => Date): BuildMessage {
  return async (decision, incident, subscriptions) => {
    const { createNotificationMessage } = await import('./message.ts');
    return createNotificationMessage(decision, incident ?? null, {
      ...(deps.statusPageBaseUrl === undefined ? {} : { statusPageBaseUrl: deps.statusPageBaseUrl }),
      ...(deps.freshnessMs === undefined ? {} : { freshnessMs: deps.freshnessMs }),
      ...(subscriptions ? { subscriptions } : {}),
      now: now(),
    });
  };
}

async function readIncident(store: StateStore, incidentKey: string): Promise<IncidentRecord | undefined> {
  return (await store.get<IncidentRecord>(COLLECTIONS.incidents, toDocumentKey(incidentKey)))?.value;
}

/**
 * How far back a redelivered input may recover its original decision's deliveries. Long enough for
 * any inbox or queue retry after a crash, far shorter than the retention of finished deliveries, so
 * a provider re-sending a weeks-old update can never notify twice.
 */
export const RECOVER_WINDOW_MS = 6 * 60 * 60 * 1000;

/**
 * Closes the crash gap between the engine committing a decision and its deliveries being written:
 * when the input is processed again the engine answers `duplicate`, so for each duplicate the
 * notifying decisions that its update produced (from the incident's journal, decided within
 * RECOVER_WINDOW_MS) are enqueued too. Deliveries have deterministic ids, so an original that was
 * queued already is found, not queued twice.
 */
async function recoverCommittedDecisions(
  decisions: readonly Decision[],
  readIncidentOnce: (incidentKey: string) => Promise<IncidentRecord | undefined>,
  at: Date,
): Promise<Decision[]> {
  const work = [...decisions];
  const seen = new Set(decisions.map((decision) => decision.id));
  const looked = new Set<string>();
  for (const decision of decisions) {
    if (decision.kind !== 'duplicate') continue;
    const lookup = `${decision.incidentKey}\n${decision.updateKey}`;
    if (looked.has(lookup)) continue;
    looked.add(lookup);
    const incident = await readIncidentOnce(decision.incidentKey);
    for (const original of incident?.journal ?? []) {
      if (original.updateKey !== decision.updateKey || !isNotifying(original.kind) || seen.has(original.id)) {
        continue;
      }
      if (at.getTime() - Date.parse(original.decidedAt) > RECOVER_WINDOW_MS) continue;
      seen.add(original.id);
      work.push(original);
    }
  }
  return work;
}

/**
 * Routes each notifying decision and writes one delivery per routed sink (before anything is sent).
 * Idempotent: calling it again with the same decisions creates nothing new.
 */
export async function enqueueNotifications(
  decisions: readonly Decision[],
  deps: EnqueueDeps,
): Promise<EnqueueResult> {
  const now = deps.now ?? (() => new Date());
  const buildMessage = deps.buildMessage ?? createDefaultBuildMessage(deps, now);
  const logger = deps.logger ?? SILENT_LOGGER;
  const result: EnqueueResult = { created: [], existing: [], skipped: [] };
  // One read per incident per call: duplicates and their recovered originals share it.
  const incidents = new Map<string, Promise<IncidentRecord | undefined>>();
  const readIncidentOnce = (incidentKey: string) => {
    let pending = incidents.get(incidentKey);
    if (pending === undefined) {
      pending = readIncident(deps.store, incidentKey);
      incidents.set(incidentKey, pending);
    }
    return pending;
  };
  const work = await recoverCommittedDecisions(decisions, readIncidentOnce, now());
  for (const [index, decision] of work.entries()) {
    if (!isNotifying(decision.kind)) {
      result.skipped.push(decision.id);
      continue;
    }
    const incident = await readIncidentOnce(decision.incidentKey);
    const at = now();
    const routed = routeBySubscription(deps.routing, describeRouteSubject(decision, incident, at));
    if (routed.length === 0) {
      logger.warn('outbox: no route sends this decision anywhere', { decisionId: decision.id });
      result.skipped.push(decision.id);
      continue;
    }
    // One message per distinct set of named subscriptions (one in all without the split).
    const messages = new Map<string, Promise<NotificationMessage>>();
    const messageFor = (subscriptions: readonly string[] | null) => {
      const key = subscriptions === null ? '*' : subscriptions.join(',');
      let pending = messages.get(key);
      if (pending === undefined) {
        pending = Promise.resolve(buildMessage(decision, incident, subscriptions));
        messages.set(key, pending);
      }
      return pending;
    };
    const orderKey = toOrderKey(decision.decidedAt, decision.seq, index);
    for (const route of routed) {
      const id = toDeliveryId(decision.id, route.sink);
      const existing = await deps.store.get<DeliveryRecord>(OUTBOX_COLLECTIONS.deliveries, id);
      if (existing) {
        await ensureQueued(deps.store, existing.value);
        result.existing.push(id);
        continue;
      }
      const message = await messageFor(route.subscriptions);
      const record = newDeliveryRecord({
        id,
        decision,
        sink: route.sink,
        orderKey,
        rule: route.rule,
        fallback: route.fallback,
        fallbackOf: null,
        message,
        now: at,
      });
      if (await createDelivery(deps.store, record)) result.created.push(record);
      else result.existing.push(id);
    }
  }
  if (result.created.length > 0) {
    logger.info('outbox: deliveries queued', {
      created: result.created.length,
      existing: result.existing.length,
    });
  }
  return result;
}

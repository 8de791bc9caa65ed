/**
 * enqueueNotifications after a real engine run: the decision is routed through its incident
 * (services, regions, category), the message is built by the real createNotificationMessage, and a
 * redelivered event — or the same decisions enqueued again — adds no delivery.
 */
import { describe, expect, it } from 'vitest';
import { processEvent } from '../../../shared/engine/process-event.ts';
import { listDeliveries } from '../../../shared/notify/dead-letters.ts';
import { enqueueNotifications, RECOVER_WINDOW_MS } from '../../../shared/notify/enqueue-notifications.ts';
import type { NotificationMessage } from '../../../shared/notify/message.ts';
import type { RoutingTable } from '../../../shared/notify/routing.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { buildAzureServiceHealthEvent, minute } from '../../helpers/engine-events.ts';

const ROUTING: RoutingTable = {
  routes: [
    {
      name: 'maintenance',
      match: { categories: ['maintenance'] },
      sinks: ['email'],
      continue: false,
      fallback: [],
    },
    {
      name: 'vm-west-europe',
      match: { services: ['virtual machines'], regions: ['West Europe'], decisionKinds: ['open', 'update'] },
      sinks: ['teams', 'slack'],
      continue: false,
      fallback: ['sms'],
    },
  ],
  defaultRoute: { sinks: ['console'], fallback: [] },
};

describe('enqueueNotifications', () => {
  it('routes engine decisions through their incident and builds the message', async () => {
    const store = createMemoryStore();
    const event = buildAzureServiceHealthEvent({
      trackingId: 'VLX8-3Z8',
      communicationId: '1',
      stage: 'Active',
      updatedAt: minute(5),
      title: 'Virtual Machines - West Europe',
    });
    const now = new Date(minute(6));
    const decisions = await processEvent(event, { store, now });
    expect(decisions.map((decision) => decision.kind)).toEqual(['open']);
    const result = await enqueueNotifications(decisions, { store, routing: ROUTING, now: () => now });
    const open = decisions[0];
    expect(result.created.map((record) => [record.id, record.rule, record.fallback])).toEqual([
      [`${open?.id}:teams`, 'vm-west-europe', ['sms']],
      [`${open?.id}:slack`, 'vm-west-europe', ['sms']],
    ]);
    const message = result.created[0]?.message;
    expect(message).toMatchObject({
      decisionId: open?.id,
      decisionKind: 'open',
      action: 'trigger',
      incidentKey: 'azure:VLX8-3Z8',
      provider: 'azure',
      services: ['Virtual Machines'],
    });
    expect(message?.title).toContain('Virtual Machines - West Europe');

    // The same webhook delivered again: the engine says duplicate, nothing new is queued (the
    // duplicate's original is looked up and its deliveries are found)…
    const again = await processEvent(event, { store, now });
    expect(again.map((decision) => decision.kind)).toEqual(['duplicate']);
    const second = await enqueueNotifications(again, { store, routing: ROUTING, now: () => now });
    expect(second).toEqual({
      created: [],
      existing: [`${open?.id}:teams`, `${open?.id}:slack`],
      skipped: [again[0]?.id],
    });
    // …and a runtime retrying the same decisions finds their deliveries.
    const retried = await enqueueNotifications(decisions, { store, routing: ROUTING, now: () => now });
    expect(retried.created).toEqual([]);
    expect(retried.existing).toHaveLength(2);
    expect(await listDeliveries(store)).toHaveLength(2);
  });

  it('uses the default route for what no rule matches, and resolves go out too', async () => {
    const store = createMemoryStore();
    const base = { trackingId: 'ABCD-123', services: ['Azure DNS'], regions: ['Global'] };
    const opened = await processEvent(
      buildAzureServiceHealthEvent({ ...base, communicationId: '1', stage: 'Active', updatedAt: minute(1) }),
      { store, now: new Date(minute(1)) },
    );
    const resolved = await processEvent(
      buildAzureServiceHealthEvent({
        ...base,
        communicationId: '2',
        stage: 'Resolved',
        updatedAt: minute(30),
      }),
      { store, now: new Date(minute(30)) },
    );
    const result = await enqueueNotifications([...opened, ...resolved], {
      store,
      routing: ROUTING,
      now: () => new Date(minute(30)),
    });
    expect(
      result.created.map((record) => [
        record.sink,
        record.rule,
        (record.message as NotificationMessage).action,
      ]),
    ).toEqual([
      ['console', 'default', 'trigger'],
      ['console', 'default', 'resolve'],
    ]);
    // Queued in decision order for the sink.
    const [first, second] = result.created;
    expect((first?.queueKey ?? '') < (second?.queueKey ?? '')).toBe(true);
  });

  it('recovers deliveries lost to a crash between the engine decision and the enqueue', async () => {
    const store = createMemoryStore();
    const event = buildAzureServiceHealthEvent({
      trackingId: 'CRSH-001',
      communicationId: '1',
      stage: 'Active',
      updatedAt: minute(5),
      title: 'Virtual Machines - West Europe',
    });
    const now = new Date(minute(6));
    // The engine commits `open`; the process dies before enqueueNotifications runs.
    const committed = await processEvent(event, { store, now });
    expect(committed.map((decision) => decision.kind)).toEqual(['open']);
    expect(await listDeliveries(store)).toHaveLength(0);
    // The inbox entry is processed again: the engine says duplicate, the deliveries are recovered.
    const again = await processEvent(event, { store, now });
    expect(again.map((decision) => decision.kind)).toEqual(['duplicate']);
    const recovered = await enqueueNotifications(again, { store, routing: ROUTING, now: () => now });
    expect(recovered.created.map((record) => record.id)).toEqual([
      `${committed[0]?.id}:teams`,
      `${committed[0]?.id}:slack`,
    ]);
    // A third time finds them and queues nothing.
    const third = await enqueueNotifications(again, { store, routing: ROUTING, now: () => now });
    expect(third.created).toEqual([]);
  });

  it('does not recover a decision older than the recovery window (an old update re-sent by the provider)', async () => {
    const store = createMemoryStore();
    const event = buildAzureServiceHealthEvent({
      trackingId: 'OLD-0001',
      communicationId: '1',
      stage: 'Active',
      updatedAt: minute(5),
    });
    await processEvent(event, { store, now: new Date(minute(6)) });
    const later = new Date(Date.parse(minute(6)) + RECOVER_WINDOW_MS + 60_000);
    const again = await processEvent(event, { store, now: later });
    expect(again.map((decision) => decision.kind)).toEqual(['duplicate']);
    const result = await enqueueNotifications(again, { store, routing: ROUTING, now: () => later });
    expect(result.created).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../shared/engine/decision.ts';
import { listDecisions, listIncidentDecisions } from '../../../shared/engine/decision-log.ts';
import { getIncident, processEvent, processEvents } from '../../../shared/engine/process-event.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import {
  buildAwsHealthEvent,
  buildAzureServiceHealthEvent,
  buildAzureStorm,
  minute,
  shuffleWithSeed,
} from '../../helpers/engine-events.ts';

const NOW = new Date('2026-02-06T12:00:00.000Z');
const SUBSCRIPTIONS = [
  '3f2a9c1e-7b4d-4e8a-9c21-5d6e7f8a9b0c',
  '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  '11111111-2222-4333-8444-555555555555',
];

function nonDuplicateKinds(decisions: readonly Decision[]): string[] {
  return decisions
    .filter((d) => d.kind !== 'duplicate')
    .map((d) => d.kind)
    .sort();
}

async function replay(seed: number, copies = 2) {
  const store = createMemoryStore();
  const events = shuffleWithSeed(buildAzureStorm(SUBSCRIPTIONS, copies), seed);
  const decisions = await processEvents(events, { store, now: NOW });
  return { store, events, decisions };
}

describe('provider incidents: the acceptance replay', () => {
  it('in publication order: open, update, resolve, update (RCA after resolve), then duplicates', async () => {
    const store = createMemoryStore();
    const events = buildAzureStorm(SUBSCRIPTIONS, 2);
    const decisions = await processEvents(events, { store, now: NOW });
    expect(decisions).toHaveLength(events.length);
    const distinct = decisions.filter((d) => d.kind !== 'duplicate');
    expect(distinct.map((d) => [d.kind, d.stage, d.status, d.stale])).toEqual([
      ['open', 'Active', 'open', false],
      ['update', 'Active', 'open', false],
      ['resolve', 'Resolved', 'resolved', false],
      ['update', 'RCA', 'resolved', false],
    ]);
    expect(decisions.filter((d) => d.kind === 'duplicate')).toHaveLength(events.length - 4);
    expect(new Set(distinct.map((d) => d.seq))).toEqual(new Set([1, 2, 3, 4]));
    const incident = await getIncident(store, 'azure:FNJ8-VQZ');
    expect(incident?.status).toBe('resolved');
    expect(incident?.stage).toBe('RCA');
    expect([...(incident?.scope.subscriptionIds ?? [])].sort()).toEqual([...SUBSCRIPTIONS].sort());
  });

  it.each(Array.from({ length: 60 }, (_, i) => i + 1))(
    'shuffled (seed %i): exactly {open, update, resolve, update}, everything else duplicate',
    async (seed) => {
      const { store, events, decisions } = await replay(seed);
      expect(decisions).toHaveLength(events.length);
      expect(nonDuplicateKinds(decisions)).toEqual(['open', 'resolve', 'update', 'update']);
      const incident = await getIncident(store, 'azure:FNJ8-VQZ');
      expect(incident?.status).toBe('resolved');
      expect(incident?.stage).toBe('RCA');
      expect(incident?.resolvedAt).toBe('2026-02-03T01:30:00.000Z');
      expect(incident?.scope.subscriptionIds).toHaveLength(3);
      // The logged non-duplicate decisions are the same four, once each.
      const logged = (await listIncidentDecisions(store, 'azure:FNJ8-VQZ')).filter(
        (d) => d.kind !== 'duplicate',
      );
      expect(logged.map((d) => d.kind).sort()).toEqual(['open', 'resolve', 'update', 'update']);
      expect(new Set(logged.map((d) => d.updateKey)).size).toBe(4);
      // A late Active never re-opens the resolved incident.
      expect(decisions.some((d) => d.kind === 'reopen')).toBe(false);
    },
  );

  it('property: any order of any number of copies gives the same four decisions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 4 }),
        async (seed, copies) => {
          const { decisions, store } = await replay(seed, copies);
          expect(nonDuplicateKinds(decisions)).toEqual(['open', 'resolve', 'update', 'update']);
          expect((await getIncident(store, 'azure:FNJ8-VQZ'))?.status).toBe('resolved');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('classifies a late update by its own stage and marks it stale (Resolved first)', async () => {
    const store = createMemoryStore();
    const resolved = buildAzureServiceHealthEvent({
      trackingId: 'ABC',
      communicationId: '3',
      stage: 'Resolved',
      updatedAt: minute(30),
    });
    const active = buildAzureServiceHealthEvent({
      trackingId: 'ABC',
      communicationId: '1',
      stage: 'Active',
      updatedAt: minute(0),
    });
    const [first] = await processEvent(resolved, { store, now: NOW });
    const [second] = await processEvent(active, { store, now: NOW });
    expect([first?.kind, first?.stale, first?.status]).toEqual(['resolve', false, 'resolved']);
    expect([second?.kind, second?.stale, second?.status, second?.reason]).toEqual([
      'open',
      true,
      'resolved',
      'stale',
    ]);
    expect((await getIncident(store, 'azure:ABC'))?.status).toBe('resolved');
  });

  it('re-opens when an active update newer than the resolution arrives after it', async () => {
    const store = createMemoryStore();
    const spec = { trackingId: 'RE-OPEN' };
    const kinds: string[] = [];
    for (const [communicationId, stage, at] of [
      ['1', 'Active', 0],
      ['2', 'Resolved', 30],
      ['3', 'Active', 60],
      ['4', 'Resolved', 90],
    ] as const) {
      const [decision] = await processEvent(
        buildAzureServiceHealthEvent({ ...spec, communicationId, stage, updatedAt: minute(at) }),
        { store, now: NOW },
      );
      kinds.push(decision?.kind ?? '');
    }
    expect(kinds).toEqual(['open', 'resolve', 'reopen', 'resolve']);
    expect((await getIncident(store, 'azure:RE-OPEN'))?.episode).toBe(2);
  });

  it('orders maintenance stages Planned < InProgress < Complete, whatever the arrival order', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const store = createMemoryStore();
      const events = (
        [
          ['1', 'Planned', 0],
          ['2', 'InProgress', 60],
          ['3', 'Complete', 120],
        ] as const
      ).map(([communicationId, stage, at]) =>
        buildAzureServiceHealthEvent({
          trackingId: 'MAINT',
          communicationId,
          stage,
          category: 'maintenance',
          updatedAt: minute(at),
        }),
      );
      const decisions = await processEvents(shuffleWithSeed(events, seed), { store, now: NOW });
      expect(nonDuplicateKinds(decisions)).toEqual(['open', 'resolve', 'update']);
      expect((await getIncident(store, 'azure:MAINT'))?.status).toBe('resolved');
    }
  });

  it('concurrency: 20 simultaneous deliveries of one update yield one non-duplicate decision', async () => {
    const store = createMemoryStore();
    const events = Array.from({ length: 20 }, (_, i) =>
      buildAzureServiceHealthEvent({
        trackingId: 'PAR',
        communicationId: '1',
        stage: 'Active',
        updatedAt: minute(0),
        subscriptionId: `sub-${i % 7}`,
      }),
    );
    const results = await Promise.all(events.map((event) => processEvent(event, { store, now: NOW })));
    const decisions = results.flat();
    expect(decisions.filter((d) => d.kind !== 'duplicate').map((d) => d.kind)).toEqual(['open']);
    expect(decisions.filter((d) => d.kind === 'duplicate')).toHaveLength(19);
    expect((await getIncident(store, 'azure:PAR'))?.scope.subscriptionIds).toHaveLength(7);
    expect((await listDecisions(store)).filter((d) => d.kind === 'open')).toHaveLength(1);
  });
});

describe('provider incidents: AWS Health', () => {
  it('backup-Region copies and pages are one incident, one decision per communication, resources merged', async () => {
    const store = createMemoryStore();
    const eventArn =
      'arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_ABC';
    const pages = (communicationId: string, statusCode: 'open' | 'closed', at: string) =>
      [1, 2, 3].flatMap((page) =>
        ['111122223333', '444455556666'].map((accountId) =>
          buildAwsHealthEvent({
            eventArn,
            communicationId: `${communicationId}-${page}`,
            statusCode,
            updatedAt: at,
            accountId,
            resources: [`i-0000${page}`, `i-1000${page}`],
          }),
        ),
      );
    // Each page delivered twice (primary and backup Region).
    const events = [...pages('c1', 'open', minute(0)), ...pages('c2', 'closed', minute(40))].flatMap((e) => [
      e,
      e,
    ]);
    const decisions = await processEvents(shuffleWithSeed(events, 7), { store, now: NOW });
    expect(nonDuplicateKinds(decisions)).toEqual(['open', 'resolve']);
    const incident = await getIncident(store, `aws:${eventArn}`);
    expect(incident?.status).toBe('resolved');
    expect([...(incident?.scope.resourceIds ?? [])].sort()).toEqual(
      ['i-00001', 'i-00002', 'i-00003', 'i-10001', 'i-10002', 'i-10003'].sort(),
    );
    expect(incident?.scope.accountIds).toHaveLength(2);
  });
});

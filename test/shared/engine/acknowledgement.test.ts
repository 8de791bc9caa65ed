import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../shared/engine/decision.ts';
import { resolveEngineConfig } from '../../../shared/engine/engine-config.ts';
import { reportSourceFailure, reportSourceSuccess } from '../../../shared/engine/health-sources.ts';
import { evaluateTimers, getIncident, processEvent } from '../../../shared/engine/process-event.ts';
import { createStatusFeedEvents } from '../../../shared/ingest/azure-status-feed.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { buildAzureServiceHealthEvent, buildProbeEvent, minute } from '../../helpers/engine-events.ts';

const config = resolveEngineConfig({ acknowledgement: { unacknowledgedAfterMs: 10 * 60_000 } });

/** Two vantages fail the ARM probe from minute `start` on: provider-outage from minute start+2. */
async function failFromTwoVantages(store: StateStore, start: number, rounds: number): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (let i = start; i < start + rounds; i++) {
    for (const vantageId of ['aws-eu-west-1', 'aws-us-east-1']) {
      const at = minute(i);
      decisions.push(
        ...(await processEvent(
          buildProbeEvent({ targetId: 'azure-arm', vantageId, roundId: `r${i}`, outcome: 'down', at }),
          { store, now: new Date(at), config },
        )),
      );
    }
  }
  return decisions;
}

function azureArmIncident(stage: 'Active' | 'Resolved', communicationId: string, at: string) {
  return buildAzureServiceHealthEvent({
    trackingId: 'ARM-1',
    communicationId,
    stage,
    updatedAt: at,
    startedAt: minute(0),
    services: ['Azure Resource Manager'],
    regions: ['Global'],
  });
}

describe('provider acknowledgement and lead time', () => {
  it('links the probe incident when the provider publishes later, with a positive lead time', async () => {
    const store = createMemoryStore();
    const probe = await failFromTwoVantages(store, 0, 3);
    expect(probe.filter((d) => d.kind === 'open')).toHaveLength(1);
    const decisions = await processEvent(azureArmIncident('Active', '1', minute(9)), {
      store,
      now: new Date(minute(9)),
      config,
    });
    expect(decisions.map((d) => [d.kind, d.incidentKey, d.reason])).toEqual([
      ['open', 'azure:ARM-1', null],
      ['update', 'probe:azure-arm', 'acknowledged:azure:ARM-1'],
    ]);
    const incident = await getIncident(store, 'probe:azure-arm');
    expect(incident?.probeState?.detectedAt).toBe(minute(2));
    expect(incident?.probeState?.acknowledgedAt).toBe(minute(9));
    expect(incident?.probeState?.leadTimeMs).toBe(7 * 60_000);
    // The next provider update does not link again.
    const again = await processEvent(azureArmIncident('Active', '2', minute(20)), {
      store,
      now: new Date(minute(20)),
      config,
    });
    expect(again.map((d) => d.kind)).toEqual(['update']);
  });

  it('links when the provider was first: negative lead time', async () => {
    const store = createMemoryStore();
    await processEvent(azureArmIncident('Active', '1', minute(0)), {
      store,
      now: new Date(minute(0)),
      config,
    });
    const decisions = await failFromTwoVantages(store, 1, 3);
    expect(decisions.filter((d) => d.reason === 'acknowledged:azure:ARM-1')).toHaveLength(1);
    const incident = await getIncident(store, 'probe:azure-arm');
    expect(incident?.probeState?.leadTimeMs).toBe(-3 * 60_000);
  });

  it('does not let an open provider incident quiet for longer than openProviderQuietMs vouch for a new outage', async () => {
    const store = createMemoryStore();
    // Active at minute 0, its Resolved never arrives.
    await processEvent(azureArmIncident('Active', '1', minute(0)), {
      store,
      now: new Date(minute(0)),
      config,
    });
    const quietDays = config.acknowledgement.openProviderQuietMs / 60_000;
    // Four days later the ARM probe fails from two vantages: not acknowledged by the stale incident.
    const later = await failFromTwoVantages(store, quietDays + 24 * 60, 3);
    expect(later.filter((d) => d.kind === 'open')).toHaveLength(1);
    expect(later.filter((d) => d.reason === 'acknowledged:azure:ARM-1')).toHaveLength(0);
    expect((await getIncident(store, 'probe:azure-arm'))?.probeState?.acknowledgedAt).toBeNull();
    // Within the quiet limit it still does (the same incident, one more update two days in).
    const store2 = createMemoryStore();
    await processEvent(azureArmIncident('Active', '1', minute(0)), {
      store: store2,
      now: new Date(minute(0)),
      config,
    });
    await processEvent(azureArmIncident('Active', '2', minute(2 * 24 * 60)), {
      store: store2,
      now: new Date(minute(2 * 24 * 60)),
      config,
    });
    const within = await failFromTwoVantages(store2, 2 * 24 * 60 + 60, 3);
    expect(within.filter((d) => d.reason === 'acknowledged:azure:ARM-1')).toHaveLength(1);
  });

  it('does not link a provider incident of an unrelated service or region', async () => {
    const store = createMemoryStore();
    await failFromTwoVantages(store, 0, 3);
    const other = buildAzureServiceHealthEvent({
      trackingId: 'SQL-1',
      communicationId: '1',
      stage: 'Active',
      updatedAt: minute(5),
      services: ['Azure SQL Database'],
      regions: ['West Europe'],
    });
    const decisions = await processEvent(other, { store, now: new Date(minute(5)), config });
    expect(decisions.map((d) => d.kind)).toEqual(['open']);
    expect((await getIncident(store, 'probe:azure-arm'))?.probeState?.acknowledgedAt).toBeNull();
  });

  it('maps planes to provider services (identity plane ↔ Microsoft Entra ID)', async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 3; i++) {
      const at = minute(i);
      await processEvent(
        buildProbeEvent({
          targetId: 'entra-token',
          vantageId: 'v1',
          roundId: `r${i}`,
          outcome: 'down',
          at,
          plane: 'identity',
          services: [],
        }),
        { store, now: new Date(at), config },
      );
    }
    const entra = buildAzureServiceHealthEvent({
      trackingId: 'ENTRA-1',
      communicationId: '1',
      stage: 'Active',
      updatedAt: minute(4),
      services: ['Microsoft Entra ID'],
      regions: ['Global'],
    });
    const decisions = await processEvent(entra, { store, now: new Date(minute(4)), config });
    expect(decisions.map((d) => d.reason)).toContain('acknowledged:azure:ENTRA-1');
  });

  it('links a public status feed entry like Service Health: probe open at T, feed entry at T+10 min', async () => {
    const store = createMemoryStore();
    await failFromTwoVantages(store, 0, 3);
    const detectedAt = (await getIncident(store, 'probe:azure-arm'))?.probeState?.detectedAt;
    expect(detectedAt).toBe(minute(2));
    const feedEvents = (title: string, published: string) =>
      createStatusFeedEvents(
        [{ title, link: 'https://azure.status.microsoft/en-us/status/', published, summary: '', id: title }],
        {
          receivedAt: minute(13),
          feedUrl: 'https://rssfeed.azure.status.microsoft/en-us/status/feed/',
          now: () => new Date(minute(13)),
        },
      );
    // A feed entry whose title names no service links nothing.
    const [vague] = feedEvents('Service management operation failures', minute(11));
    if (vague === undefined) throw new Error('expected a feed event');
    const unlinked = await processEvent(vague, { store, now: new Date(minute(13)), config });
    expect(unlinked.map((d) => d.kind)).toEqual(['open']);
    const [arm] = feedEvents('Azure Resource Manager - Multiple regions', minute(12));
    if (arm === undefined) throw new Error('expected a feed event');
    const decisions = await processEvent(arm, { store, now: new Date(minute(13)), config });
    const feedKey = arm.data.incidentKey;
    expect(decisions.map((d) => [d.kind, d.incidentKey, d.reason])).toEqual([
      ['open', feedKey, null],
      ['update', 'probe:azure-arm', `acknowledged:${feedKey}`],
    ]);
    const incident = await getIncident(store, 'probe:azure-arm');
    expect(incident?.probeState?.acknowledgedAt).toBe(minute(12));
    expect(incident?.probeState?.leadTimeMs).toBe(10 * 60_000);
    expect(incident?.probeState?.acknowledgedBy).toEqual([
      {
        incidentKey: feedKey,
        provider: 'azure',
        title: 'Azure Resource Manager - Multiple regions',
        publishedAt: minute(12),
      },
    ]);
  });
});

describe('unacknowledged escalation', () => {
  it('escalates once when provider-outage lasts past the threshold without acknowledgement', async () => {
    const store = createMemoryStore();
    const decisions = await failFromTwoVantages(store, 0, 20);
    const escalations = decisions.filter((d) => d.kind === 'escalate');
    expect(escalations.map((d) => [d.reason, d.eventTime])).toEqual([['unacknowledged', minute(12)]]);
    // The outage began at minute 2 (second vantage's third failure), 10 minutes before.
    expect((await getIncident(store, 'probe:azure-arm'))?.probeState?.outageSince).toBe(minute(2));
    expect(await evaluateTimers({ store, now: new Date(minute(40)), config })).toEqual([]);
  });

  it('the timer escalates when no further result arrives', async () => {
    const store = createMemoryStore();
    await failFromTwoVantages(store, 0, 3);
    expect(await evaluateTimers({ store, now: new Date(minute(5)), config })).toEqual([]);
    const due = await evaluateTimers({ store, now: new Date(minute(13)), config });
    expect(due.map((d) => [d.kind, d.reason, d.incidentKey])).toEqual([
      ['escalate', 'unacknowledged', 'probe:azure-arm'],
    ]);
    expect(await evaluateTimers({ store, now: new Date(minute(14)), config })).toEqual([]);
  });

  it('does not escalate an acknowledged outage', async () => {
    const store = createMemoryStore();
    await failFromTwoVantages(store, 0, 3);
    await processEvent(azureArmIncident('Active', '1', minute(5)), {
      store,
      now: new Date(minute(5)),
      config,
    });
    const decisions = await failFromTwoVantages(store, 3, 20);
    expect(decisions.filter((d) => d.kind === 'escalate')).toEqual([]);
  });
});

describe('health source unreachable', () => {
  it('is a signal after the threshold, once per episode, with a recovery', async () => {
    const store = createMemoryStore();
    const deps = (at: string) => ({ store, now: new Date(at), config });
    const decisions: Decision[] = [];
    for (const i of [0, 2, 4, 6, 8, 10, 12, 14]) {
      decisions.push(
        ...(await reportSourceFailure(
          { source: 'azure-resource-health-api', error: new Error('ETIMEDOUT'), at: new Date(minute(i)) },
          deps(minute(i)),
        )),
      );
    }
    expect(decisions.map((d) => [d.kind, d.reason, d.eventTime])).toEqual([
      ['escalate', 'health-source-unreachable', minute(10)],
    ]);
    const recovered = await reportSourceSuccess(
      { source: 'azure-resource-health-api', at: new Date(minute(16)) },
      deps(minute(16)),
    );
    expect(recovered.map((d) => [d.kind, d.reason])).toEqual([['recover', 'health-source-reachable']]);
    expect(
      await reportSourceSuccess(
        { source: 'azure-resource-health-api', at: new Date(minute(18)) },
        deps(minute(18)),
      ),
    ).toEqual([]);
  });
});

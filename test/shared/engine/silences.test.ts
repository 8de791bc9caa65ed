import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../shared/engine/decision.ts';
import { getIncident, processEvent } from '../../../shared/engine/process-event.ts';
import {
  createSilence,
  getSilence,
  InvalidSilenceError,
  isSilenceActive,
  listSilences,
  removeSilence,
  type Silence,
} from '../../../shared/engine/silences.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { buildAzureServiceHealthEvent, buildProbeEvent, minute } from '../../helpers/engine-events.ts';

const NOW = new Date(minute(0));

function weekly(cron: string, timeZone: string, durationMs: number): Silence {
  return {
    id: 'weekly',
    matchers: { target: ['azure-arm'] },
    appliesTo: 'all',
    startsAt: null,
    endsAt: null,
    schedule: { cron, timeZone, durationMs },
    comment: '',
    createdBy: 'test',
    createdAt: NOW.toISOString(),
    source: 'manual',
  };
}

async function probeRounds(
  store: StateStore,
  outcomes: readonly ('up' | 'down')[],
  start: number,
): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    const at = minute(start + i);
    decisions.push(
      ...(await processEvent(
        buildProbeEvent({ targetId: 'azure-arm', vantageId: 'v1', roundId: `r${start + i}`, outcome, at }),
        { store, now: new Date(at) },
      )),
    );
  }
  return decisions;
}

describe('silences: CRUD and validation', () => {
  it('creates, lists, reads and removes silences in the store', async () => {
    const store = createMemoryStore();
    const silence = await createSilence(
      store,
      {
        id: 's1',
        matchers: { provider: ['azure'], region: ['East US'] },
        startsAt: minute(0),
        endsAt: minute(60),
        schedule: null,
      },
      NOW,
    );
    expect(silence.createdAt).toBe(NOW.toISOString());
    expect((await listSilences(store)).map((s) => s.id)).toEqual(['s1']);
    expect((await getSilence(store, 's1'))?.matchers.region).toEqual(['East US']);
    expect(await removeSilence(store, 's1')).toBe(true);
    expect(await listSilences(store)).toEqual([]);
  });

  it('rejects silences without matchers, without a window, or with a bad cron or zone', async () => {
    const store = createMemoryStore();
    const base = { matchers: { target: ['x'] }, startsAt: minute(0), endsAt: minute(10), schedule: null };
    await expect(createSilence(store, { ...base, matchers: {} }, NOW)).rejects.toThrow(InvalidSilenceError);
    await expect(createSilence(store, { ...base, endsAt: null }, NOW)).rejects.toThrow(/startsAt and endsAt/);
    await expect(
      createSilence(
        store,
        { ...base, schedule: { cron: 'not a cron', timeZone: 'UTC', durationMs: 1000 } },
        NOW,
      ),
    ).rejects.toThrow(InvalidSilenceError);
    await expect(
      createSilence(
        store,
        { ...base, schedule: { cron: '0 2 * * *', timeZone: 'Mars/Olympus', durationMs: 1000 } },
        NOW,
      ),
    ).rejects.toThrow(/time zone/);
  });
});

describe('silences: recurring windows in a time zone', () => {
  // Europe/Berlin leaves CET (UTC+1) for CEST (UTC+2) at 02:00 local on Sunday 29 March 2026.
  const sunday0100 = weekly('0 1 * * SUN', 'Europe/Berlin', 2 * 60 * 60_000);

  it('follows local time across the spring DST change', () => {
    // 22 March (CET): 01:00 local = 00:00Z, active until 02:00Z.
    expect(isSilenceActive(sunday0100, Date.parse('2026-03-21T23:59:00Z'))).toBe(false);
    expect(isSilenceActive(sunday0100, Date.parse('2026-03-22T00:00:00Z'))).toBe(true);
    expect(isSilenceActive(sunday0100, Date.parse('2026-03-22T01:59:00Z'))).toBe(true);
    expect(isSilenceActive(sunday0100, Date.parse('2026-03-22T02:00:00Z'))).toBe(false);
    // 29 March, the change day: 01:00 local is still CET = 00:00Z.
    expect(isSilenceActive(sunday0100, Date.parse('2026-03-29T00:30:00Z'))).toBe(true);
    // 5 April (CEST): 01:00 local = 23:00Z on Saturday.
    expect(isSilenceActive(sunday0100, Date.parse('2026-04-04T22:59:00Z'))).toBe(false);
    expect(isSilenceActive(sunday0100, Date.parse('2026-04-04T23:00:00Z'))).toBe(true);
    expect(isSilenceActive(sunday0100, Date.parse('2026-04-05T00:59:00Z'))).toBe(true);
    expect(isSilenceActive(sunday0100, Date.parse('2026-04-05T01:00:00Z'))).toBe(false);
  });

  it('follows local time across the autumn DST change (America/New_York)', () => {
    const daily = weekly('30 6 * * *', 'America/New_York', 30 * 60_000);
    // 31 Oct 2026 (EDT, UTC−4): 06:30 local = 10:30Z; 2 Nov (EST, UTC−5): 06:30 local = 11:30Z.
    expect(isSilenceActive(daily, Date.parse('2026-10-31T10:45:00Z'))).toBe(true);
    expect(isSilenceActive(daily, Date.parse('2026-11-02T10:45:00Z'))).toBe(false);
    expect(isSilenceActive(daily, Date.parse('2026-11-02T11:45:00Z'))).toBe(true);
  });

  it('respects startsAt/endsAt bounds of a recurring silence', () => {
    const bounded = { ...sunday0100, startsAt: '2026-03-25T00:00:00Z', endsAt: '2026-04-01T00:00:00Z' };
    expect(isSilenceActive(bounded, Date.parse('2026-03-22T00:30:00Z'))).toBe(false);
    expect(isSilenceActive(bounded, Date.parse('2026-03-29T00:30:00Z'))).toBe(true);
    expect(isSilenceActive(bounded, Date.parse('2026-04-04T23:30:00Z'))).toBe(false);
  });
});

describe('silences: decisions are recorded, not dropped', () => {
  it('suppresses a provider incident by incidentKey prefix and records the reason', async () => {
    const store = createMemoryStore();
    await createSilence(
      store,
      {
        id: 'quiet',
        matchers: { incidentKey: ['azure:FNJ8-*'] },
        startsAt: minute(-5),
        endsAt: minute(60),
        schedule: null,
      },
      NOW,
    );
    const event = buildAzureServiceHealthEvent({
      trackingId: 'FNJ8-VQZ',
      communicationId: '1',
      stage: 'Active',
      updatedAt: minute(0),
    });
    const [decision] = await processEvent(event, { store, now: NOW });
    expect([decision?.kind, decision?.reason, decision?.suppressedKind]).toEqual([
      'suppressed',
      'silence:quiet',
      'open',
    ]);
    expect((await getIncident(store, 'azure:FNJ8-VQZ'))?.status).toBe('open');
  });

  it('after a silence ends the still-open incident is announced once; a resolve of an unannounced episode is held', async () => {
    const store = createMemoryStore();
    await createSilence(
      store,
      {
        id: 'arm',
        matchers: { target: ['azure-arm'] },
        startsAt: minute(0),
        endsAt: minute(5),
        schedule: null,
      },
      NOW,
    );
    const during = await probeRounds(store, ['down', 'down', 'down'], 0);
    expect(during.at(-1)?.kind).toBe('suppressed');
    expect(during.at(-1)?.reason).toBe('silence:arm');
    // A second vantage starts failing after the silence: the first unsilenced update goes out as open.
    const decisions: Decision[] = [];
    for (let i = 6; i < 9; i++) {
      const at = minute(i);
      decisions.push(
        ...(await processEvent(
          buildProbeEvent({ targetId: 'azure-arm', vantageId: 'v2', roundId: `r${i}`, outcome: 'down', at }),
          { store, now: new Date(at) },
        )),
      );
    }
    expect(decisions.filter((d) => d.kind === 'open').map((d) => d.reason)).toEqual(['silence-ended']);

    // Another target, silenced while it opens and while it is resolved within the window.
    const other = createMemoryStore();
    await createSilence(
      other,
      {
        id: 'arm',
        matchers: { target: ['azure-arm'] },
        startsAt: minute(0),
        endsAt: minute(4),
        schedule: null,
      },
      NOW,
    );
    await probeRounds(other, ['down', 'down', 'down'], 0);
    const after = await probeRounds(other, ['up', 'up'], 4);
    expect(after.map((d) => [d.kind, d.reason, d.suppressedKind])).toEqual([
      ['suppressed', 'flap-threshold', 'resolve'],
      ['suppressed', 'open-suppressed', 'resolve'],
    ]);
  });

  it('an Azure maintenance event silences the matching probe targets for its window', async () => {
    const store = createMemoryStore();
    const maintenance = buildAzureServiceHealthEvent({
      trackingId: 'MAINT-ARM',
      communicationId: '1',
      stage: 'Planned',
      category: 'maintenance',
      updatedAt: minute(-60),
      startedAt: minute(0),
      services: ['Azure Resource Manager'],
      regions: ['Global'],
      attributes: { plannedEnd: minute(30) },
    });
    const [planned] = await processEvent(maintenance, { store, now: new Date(minute(-60)) });
    expect(planned?.kind).toBe('open');
    const silence = await getSilence(store, 'azure:MAINT-ARM');
    expect([silence?.source, silence?.startsAt, silence?.endsAt, silence?.appliesTo]).toEqual([
      'maintenance',
      minute(0),
      minute(30),
      'probe',
    ]);
    const during = await probeRounds(store, ['down', 'down', 'down'], 1);
    expect([during.at(-1)?.kind, during.at(-1)?.reason]).toEqual([
      'suppressed',
      'maintenance:azure:MAINT-ARM',
    ]);
    // Completed early: the window ends at completion.
    const complete = buildAzureServiceHealthEvent({
      trackingId: 'MAINT-ARM',
      communicationId: '2',
      stage: 'Complete',
      category: 'maintenance',
      updatedAt: minute(10),
      startedAt: minute(0),
      services: ['Azure Resource Manager'],
      regions: ['Global'],
    });
    await processEvent(complete, { store, now: new Date(minute(10)) });
    expect((await getSilence(store, 'azure:MAINT-ARM'))?.endsAt).toBe(minute(10));
  });
});

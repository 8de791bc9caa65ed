import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../shared/engine/decision.ts';
import { resolveEngineConfig } from '../../../shared/engine/engine-config.ts';
import { getIncident, processEvent } from '../../../shared/engine/process-event.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { buildProbeEvent, minute, type ProbeSpec } from '../../helpers/engine-events.ts';

type Outcome = ProbeSpec['outcome'];

/** Feeds one result per round for one target from one vantage; the clock is the result time. */
async function feed(
  store: StateStore,
  outcomes: readonly Outcome[],
  options: { vantageId?: string; targetId?: string; start?: number; reason?: ProbeSpec['reason'] } = {},
): Promise<Decision[]> {
  const decisions: Decision[] = [];
  const start = options.start ?? 0;
  for (const [i, outcome] of outcomes.entries()) {
    const at = minute(start + i);
    const event = buildProbeEvent({
      targetId: options.targetId ?? 'azure-arm',
      vantageId: options.vantageId ?? 'aws-eu-west-1',
      roundId: `r${start + i}`,
      outcome,
      at,
      reason: options.reason ?? null,
    });
    decisions.push(...(await processEvent(event, { store, now: new Date(at) })));
  }
  return decisions;
}

const notable = (decisions: readonly Decision[]) =>
  decisions.filter((d) => ['open', 'reopen', 'resolve', 'update'].includes(d.kind)).map((d) => d.kind);

describe('probe incidents: thresholds', () => {
  it('opens after 3 consecutive failures and resolves after 2 consecutive successes', async () => {
    const store = createMemoryStore();
    const decisions = await feed(store, ['up', 'down', 'down', 'down', 'down', 'up', 'up', 'up']);
    expect(decisions.map((d) => [d.kind, d.reason])).toEqual([
      ['observe', 'healthy'],
      ['suppressed', 'flap-threshold'],
      ['suppressed', 'flap-threshold'],
      ['open', 'verdict:partial'],
      ['observe', 'still-failing'],
      ['suppressed', 'flap-threshold'],
      ['resolve', 'vantage-recovered:aws-eu-west-1'],
      ['observe', 'healthy'],
    ]);
    const incident = await getIncident(store, 'probe:azure-arm');
    expect(incident?.status).toBe('resolved');
    expect(incident?.probeState?.detectedAt).toBe(minute(3));
    expect(incident?.resolvedAt).toBe(minute(6));
  });

  it('opens after 3 failures among the last 5 results', async () => {
    const store = createMemoryStore();
    const decisions = await feed(store, ['down', 'up', 'down', 'up', 'down']);
    expect(notable(decisions)).toEqual(['open']);
    expect(decisions.at(-1)?.verdict).toBe('degraded');
  });

  it('inconclusive results never open or resolve anything', async () => {
    const store = createMemoryStore();
    const opened = await feed(store, ['down', 'down', 'inconclusive', 'inconclusive', 'inconclusive']);
    expect(notable(opened)).toEqual([]);
    expect(opened.slice(2).map((d) => [d.kind, d.reason])).toEqual([
      ['suppressed', 'inconclusive'],
      ['suppressed', 'inconclusive'],
      ['suppressed', 'inconclusive'],
    ]);
    const third = await feed(store, ['down'], { start: 5 });
    expect(notable(third)).toEqual(['open']);
    const impaired = await feed(store, ['inconclusive', 'inconclusive', 'inconclusive'], {
      start: 6,
      reason: 'vantage-impaired',
    });
    expect(impaired.map((d) => [d.kind, d.reason])).toEqual([
      ['suppressed', 'vantage-impaired'],
      ['update', 'verdict:vantage-impaired'],
      ['suppressed', 'vantage-impaired'],
      ['suppressed', 'vantage-impaired'],
    ]);
    expect((await getIncident(store, 'probe:azure-arm'))?.status).toBe('open');
  });

  it('a redelivered round is a duplicate and a late round is superseded; neither counts', async () => {
    const store = createMemoryStore();
    await feed(store, ['down', 'down']);
    const again = buildProbeEvent({
      targetId: 'azure-arm',
      vantageId: 'aws-eu-west-1',
      roundId: 'r1',
      outcome: 'down',
      at: minute(1),
    });
    const late = buildProbeEvent({
      targetId: 'azure-arm',
      vantageId: 'aws-eu-west-1',
      roundId: 'r0b',
      outcome: 'down',
      at: minute(0),
    });
    const [dup] = await processEvent(again, { store, now: new Date(minute(2)) });
    const [old] = await processEvent(late, { store, now: new Date(minute(2)) });
    expect([dup?.kind, dup?.reason]).toEqual(['duplicate', 'already-applied']);
    expect([old?.kind, old?.reason]).toEqual(['duplicate', 'superseded']);
    expect((await getIncident(store, 'probe:azure-arm'))?.status).toBe('resolved');
  });
});

describe('probe incidents: flapping', () => {
  it('alternating up/down for 100 rounds: exactly one open, no resolve, verdict degraded', async () => {
    const store = createMemoryStore();
    const outcomes = Array.from({ length: 100 }, (_, i): Outcome => (i % 2 === 0 ? 'down' : 'up'));
    const decisions = await feed(store, outcomes);
    // Round 5 (down, up, down, up, down) crosses 3-of-5; two consecutive ups never happen again.
    expect(notable(decisions)).toEqual(['open']);
    expect(decisions.filter((d) => d.kind === 'open')[0]?.verdict).toBe('degraded');
    expect((await getIncident(store, 'probe:azure-arm'))?.probeState?.verdict).toBe('degraded');
  });

  it('3 down / 2 up cycles for 100 rounds: open, resolve, reopen, resolve, reopen, then held open', async () => {
    const store = createMemoryStore();
    const cycle: Outcome[] = ['down', 'down', 'down', 'up', 'up'];
    const outcomes = Array.from({ length: 100 }, (_, i) => cycle[i % 5] as Outcome);
    const decisions = await feed(store, outcomes);
    expect(notable(decisions)).toEqual(['open', 'resolve', 'reopen', 'resolve', 'reopen']);
    expect(
      decisions.filter((d) => d.kind === 'suppressed' && d.suppressedKind === 'resolve').length,
    ).toBeGreaterThan(0);
    // Once the results settle, it resolves.
    const settled = await feed(
      store,
      Array.from({ length: 20 }, (): Outcome => 'up'),
      { start: 100 },
    );
    expect(notable(settled)).toEqual(['resolve']);
  });
});

describe('probe incidents: verdicts across vantages', () => {
  it('partial → provider-outage as a second vantage fails, then back to partial as it recovers', async () => {
    const store = createMemoryStore();
    const a = await feed(store, ['down', 'down', 'down'], { vantageId: 'aws-eu-west-1' });
    expect(a.at(-1)?.kind).toBe('open');
    expect(a.at(-1)?.verdict).toBe('partial');
    const b = await feed(store, ['down', 'down', 'down'], { vantageId: 'azure-westeurope', start: 0 });
    expect(b.at(-1)?.kind).toBe('update');
    expect(b.at(-1)?.reason).toBe('vantage-failing:azure-westeurope');
    expect(b.at(-1)?.verdict).toBe('provider-outage');
    expect((await getIncident(store, 'probe:azure-arm'))?.severity).toBe('critical');
    const recover = await feed(store, ['up', 'up'], { vantageId: 'azure-westeurope', start: 3 });
    expect(recover.map((d) => [d.kind, d.reason, d.verdict])).toEqual([
      ['suppressed', 'flap-threshold', 'provider-outage'],
      ['update', 'vantage-recovered:azure-westeurope', 'partial'],
    ]);
  });

  it('a vantage whose control targets fail is impaired: its failures are not counted', async () => {
    const store = createMemoryStore();
    for (const i of [0, 1, 2]) {
      await processEvent(
        buildProbeEvent({
          targetId: 'cloudflare-dns',
          control: true,
          vantageId: 'local-1',
          roundId: `c${i}`,
          outcome: 'down',
          at: minute(i),
        }),
        { store, now: new Date(minute(i)) },
      );
    }
    const decisions = await feed(store, ['down', 'down', 'down'], { vantageId: 'local-1' });
    expect(decisions.map((d) => [d.kind, d.reason])).toEqual([
      ['suppressed', 'vantage-impaired'],
      ['suppressed', 'vantage-impaired'],
      ['suppressed', 'vantage-impaired'],
    ]);
    const incident = await getIncident(store, 'probe:azure-arm');
    expect(incident?.status).toBe('resolved');
    expect(incident?.probeState?.verdict).toBe('vantage-impaired');
  });

  it('results older than the freshness window drop out of the verdict', async () => {
    const config = resolveEngineConfig({ verdict: { freshnessMs: 5 * 60_000 } });
    const store = createMemoryStore();
    for (const [vantageId, start] of [
      ['v1', 0],
      ['v2', 0],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        const at = minute(start + i);
        await processEvent(
          buildProbeEvent({ targetId: 't', vantageId, roundId: `r${i}`, outcome: 'down', at }),
          { store, now: new Date(at), config },
        );
      }
    }
    expect((await getIncident(store, 'probe:t'))?.probeState?.verdict).toBe('provider-outage');
    // v2 goes silent; v1 keeps failing ten minutes later: only one fresh failing vantage.
    const at = minute(12);
    const [decision] = await processEvent(
      buildProbeEvent({ targetId: 't', vantageId: 'v1', roundId: 'r12', outcome: 'down', at }),
      { store, now: new Date(at), config },
    );
    expect([decision?.kind, decision?.verdict]).toEqual(['update', 'partial']);
  });
});

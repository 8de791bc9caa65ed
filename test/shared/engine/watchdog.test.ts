import { describe, expect, it } from 'vitest';
import { listIncidentDecisions } from '../../../shared/engine/decision-log.ts';
import { resolveEngineConfig } from '../../../shared/engine/engine-config.ts';
import { checkPeers, recordHeartbeat } from '../../../shared/engine/watchdog.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { minute } from '../../helpers/engine-events.ts';

const config = resolveEngineConfig({ watchdog: { staleAfterMs: 5 * 60_000 } });

describe('watchdog', () => {
  it('reports a stale peer once per staleness episode and records its recovery', async () => {
    const store = createMemoryStore();
    const deps = (m: number) => ({ store, now: new Date(minute(m)), config });
    await recordHeartbeat({ deploymentId: 'azure-prod', at: new Date(minute(0)) }, deps(0));
    expect(await checkPeers({ peers: ['azure-prod'] }, deps(4))).toEqual([]);
    const stale = await checkPeers({ peers: ['azure-prod'] }, deps(6));
    expect(stale.map((d) => [d.kind, d.reason, d.incidentKey])).toEqual([
      ['escalate', 'watchdog-stale', 'watchdog:azure-prod'],
    ]);
    expect(await checkPeers({ peers: ['azure-prod'] }, deps(7))).toEqual([]);
    expect(await checkPeers({ peers: ['azure-prod'] }, deps(30))).toEqual([]);
    const back = await recordHeartbeat({ deploymentId: 'azure-prod', at: new Date(minute(31)) }, deps(31));
    expect(back.map((d) => [d.kind, d.reason])).toEqual([['recover', 'watchdog-recovered']]);
    expect(await checkPeers({ peers: ['azure-prod'] }, deps(32))).toEqual([]);
    const again = await checkPeers({ peers: ['azure-prod'] }, deps(40));
    expect(again.map((d) => d.kind)).toEqual(['escalate']);
    expect(again[0]?.id).not.toBe(stale[0]?.id);
    const logged = await listIncidentDecisions(store, 'watchdog:azure-prod');
    expect(logged.map((d) => d.kind)).toEqual(['escalate', 'recover', 'escalate']);
  });

  it('a peer never heard of becomes stale after the threshold from the first check', async () => {
    const store = createMemoryStore();
    expect(await checkPeers({ peers: ['aws-prod'] }, { store, now: new Date(minute(0)), config })).toEqual(
      [],
    );
    const stale = await checkPeers({ peers: ['aws-prod'] }, { store, now: new Date(minute(6)), config });
    expect(stale.map((d) => d.reason)).toEqual(['watchdog-stale']);
  });

  it('concurrent checkers decide once', async () => {
    const store = createMemoryStore();
    await recordHeartbeat(
      { deploymentId: 'azure-prod', at: new Date(minute(0)) },
      { store, now: new Date(minute(0)), config },
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        checkPeers({ peers: ['azure-prod'] }, { store, now: new Date(minute(9)), config }),
      ),
    );
    expect(results.flat().map((d) => d.kind)).toEqual(['escalate']);
  });
});

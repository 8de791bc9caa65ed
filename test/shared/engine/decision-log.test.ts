import { describe, expect, it } from 'vitest';
import {
  listDecisions,
  listIncidentDecisions,
  repairDecisionLog,
} from '../../../shared/engine/decision-log.ts';
import { EngineConfigError, resolveEngineConfig } from '../../../shared/engine/engine-config.ts';
import { processEvent, processEvents } from '../../../shared/engine/process-event.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { buildAzureStorm } from '../../helpers/engine-events.ts';

const NOW = new Date('2026-02-06T12:00:00.000Z');

/** A store whose decision-log writes fail: the process "crashes" right after the incident write. */
function withBrokenLog(store: StateStore): StateStore {
  return {
    ...store,
    kind: store.kind,
    get: store.get.bind(store),
    getMany: store.getMany.bind(store),
    putMany: (collection, items) => {
      if (collection === 'decisions') return Promise.reject(new Error('crash'));
      return store.putMany(collection, items);
    },
    list: store.list.bind(store),
    delete: store.delete.bind(store),
    purgeExpired: store.purgeExpired.bind(store),
    close: store.close.bind(store),
    put: (collection, key, value, options) => {
      if (collection === 'decisions') return Promise.reject(new Error('crash'));
      return store.put(collection, key, value, options);
    },
  };
}

describe('decision log', () => {
  it('repairs decisions committed on the incident but never projected (crash after the write)', async () => {
    const store = createMemoryStore();
    const [first, ...rest] = buildAzureStorm(['s1'], 1);
    if (!first) throw new Error('no events');
    await expect(processEvent(first, { store: withBrokenLog(store), now: NOW })).rejects.toThrow('crash');
    expect(await listDecisions(store)).toEqual([]);
    // The redelivery is a duplicate now: the decision lives in the incident's journal.
    const [redelivered] = await processEvent(first, { store, now: NOW });
    expect(redelivered?.kind).toBe('duplicate');
    expect(await repairDecisionLog(store)).toBe(1);
    await processEvents(rest, { store, now: NOW });
    await repairDecisionLog(store);
    const logged = (await listIncidentDecisions(store, 'azure:FNJ8-VQZ')).filter(
      (d) => d.kind !== 'duplicate',
    );
    expect(logged.map((d) => d.kind)).toEqual(['open', 'update', 'resolve', 'update']);
    expect((await listDecisions(store)).filter((d) => d.kind !== 'duplicate')).toHaveLength(4);
  });

  it('decision ids are deterministic: replaying into a fresh store gives the same ids', async () => {
    const events = buildAzureStorm(['s1', 's2'], 1);
    const a = await processEvents(events, { store: createMemoryStore(), now: NOW });
    const b = await processEvents(events, { store: createMemoryStore(), now: NOW });
    expect(a.map((d) => d.id)).toEqual(b.map((d) => d.id));
  });
});

describe('engine config', () => {
  it('merges overrides onto defaults and names the bad key', () => {
    expect(resolveEngineConfig({ probe: { openAfterConsecutive: 5 } }).probe.resolveAfterConsecutive).toBe(2);
    expect(() => resolveEngineConfig({ verdict: { quorum: 0 } })).toThrow(EngineConfigError);
    expect(() => resolveEngineConfig({ probe: { openAfterOf: { failures: 6, results: 5 } } })).toThrow(
      /probe.openAfterOf.failures/,
    );
    expect(() => resolveEngineConfig({ acknowledgement: { serviceMap: { nonsense: ['x'] } } })).toThrow(
      /serviceMap/,
    );
  });
});

/**
 * The engine on the embedded SQLite store (shared/store/sqlite-store.ts): the acceptance replay,
 * concurrent deliveries, and a crash-restart (process A killed part-way, process B continues on the
 * same file).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listIncidentDecisions, repairDecisionLog } from '../../../shared/engine/decision-log.ts';
import { getIncident, processEvent, processEvents } from '../../../shared/engine/process-event.ts';
import type { StateStore } from '../../../shared/store/ports.ts';
import { createSqliteStore } from '../../../shared/store/sqlite-store.ts';
import { buildAzureStorm, shuffleWithSeed } from '../../helpers/engine-events.ts';

const CHILD = fileURLToPath(new URL('../../helpers/engine-replay-child.ts', import.meta.url));
const NOW = new Date('2026-02-06T12:00:00.000Z');
const dir = mkdtempSync(join(tmpdir(), 'crosswatch-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openStore(path: string): Promise<StateStore> {
  return createSqliteStore({ path });
}

const subscriptions = Array.from({ length: 12 }, (_, i) => `sub-${String(i).padStart(2, '0')}`);
const distinct = (kinds: string[]) => kinds.filter((k) => k !== 'duplicate').sort();

describe('engine on SQLite', () => {
  it('acceptance replay: shuffled storm gives exactly open, update, resolve, update', async () => {
    for (const seed of [1, 2, 3]) {
      const store = await openStore(join(dir, `replay-${seed}.db`));
      const decisions = await processEvents(shuffleWithSeed(buildAzureStorm(subscriptions, 2), seed), {
        store,
        now: NOW,
      });
      expect(distinct(decisions.map((d) => d.kind))).toEqual(['open', 'resolve', 'update', 'update']);
      expect((await getIncident(store, 'azure:FNJ8-VQZ'))?.scope.subscriptionIds).toHaveLength(12);
      await store.close();
    }
  });

  it('20 concurrent deliveries of one update: one non-duplicate decision', async () => {
    const store = await openStore(join(dir, 'parallel.db'));
    const [first] = buildAzureStorm(['s'], 1);
    if (!first) throw new Error('no event');
    const copies = Array.from({ length: 20 }, (_, i) => ({
      ...first,
      data: { ...first.data, scope: { ...first.data.scope, subscriptionIds: [`sub-${i}`] } },
    }));
    const decisions = (
      await Promise.all(copies.map((event) => processEvent(event, { store, now: NOW })))
    ).flat();
    expect(distinct(decisions.map((d) => d.kind))).toEqual(['open']);
    expect((await getIncident(store, 'azure:FNJ8-VQZ'))?.scope.subscriptionIds).toHaveLength(20);
    await store.close();
  });

  it('crash-restart: process A is killed part-way, process B continues on the same file', async () => {
    const db = join(dir, 'crash.db');
    const events = shuffleWithSeed(buildAzureStorm(subscriptions, 2), 99);
    const eventsFile = join(dir, 'events.json');
    writeFileSync(eventsFile, JSON.stringify(events));
    const killAfter = Math.floor(events.length / 2);
    const done = await new Promise<number>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, db, eventsFile, '0', String(events.length), NOW.toISOString()],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let finished = 0;
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.stdout.on('data', (chunk: Buffer) => {
        finished += chunk.toString().split('\n').filter(Boolean).length;
        if (finished >= killAfter) child.kill('SIGKILL');
      });
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') resolve(finished);
        else reject(new Error(`child ended with ${code}: ${stderr}`));
      });
    });
    expect(done).toBeGreaterThanOrEqual(killAfter);
    expect(done).toBeLessThan(events.length);

    // Process B: repair the log from the journals, then every event is redelivered (at-least-once).
    const store = await openStore(db);
    await repairDecisionLog(store);
    await processEvents(events, { store, now: NOW });
    const logged = await listIncidentDecisions(store, 'azure:FNJ8-VQZ');
    expect(distinct(logged.map((d) => d.kind))).toEqual(['open', 'resolve', 'update', 'update']);
    expect(new Set(logged.filter((d) => d.kind !== 'duplicate').map((d) => d.id)).size).toBe(4);
    const incident = await getIncident(store, 'azure:FNJ8-VQZ');
    expect(incident?.status).toBe('resolved');
    expect(incident?.scope.subscriptionIds).toHaveLength(12);
    expect(incident?.decisionSeq).toBe(4);
    await store.close();
  });
});

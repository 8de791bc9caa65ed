/**
 * A crash in the middle of a batch (kill -9) loses or duplicates no decision. A child process drains
 * a SQLite inbox holding a shuffled Service Health storm (4 publications × 500 subscriptions) and
 * kills itself with SIGKILL right after a chosen write of a batch has committed: the incident
 * document (decisions only in its journal), the decision log (half written), the outbox (some
 * deliveries queued), or everything but the inbox settle. A second child drains what is left. The
 * state must then hold exactly the 4 decisions (open, update, resolve, update), each logged once
 * with both log records, one delivery each, and no pending input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDecisions, listIncidentDecisions } from '../../../shared/engine/decision-log.ts';
import { createSqliteInbox } from '../../../shared/inbox/sqlite-inbox.ts';
import { OUTBOX_COLLECTIONS } from '../../../shared/notify/delivery-record.ts';
import { createSqliteStore } from '../../../shared/store/sqlite-store.ts';
import {
  buildServiceHealthWebhookStorm,
  STORM_TRACKING_ID,
  toInboxEntries,
} from '../../helpers/service-health-webhooks.ts';

const CHILD = new URL('../../helpers/inbox-drain-child.ts', import.meta.url).pathname;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-drain-crash-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runChild(crashAt: string) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', CHILD, join(dir, 'state.db'), join(dir, 'inbox.db'), crashAt],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
}

async function fillInbox(): Promise<number> {
  const inbox = createSqliteInbox({ path: join(dir, 'inbox.db') });
  const entries = toInboxEntries(buildServiceHealthWebhookStorm({ subscriptions: 500, copies: 1, seed: 11 }));
  await inbox.putMany(entries);
  await inbox.close();
  return entries.length;
}

describe('drainInbox: kill -9 in the middle of a batch', () => {
  for (const crashAt of [
    'incidents:1',
    'decisions:1',
    'incident-decisions:1',
    'deliveries:2',
    'deliveries:4',
  ]) {
    it(`after the write ${crashAt}: the next drain completes with exactly 4 decisions, each logged and queued once`, async () => {
      expect(await fillInbox()).toBe(2000);
      const crashed = runChild(crashAt);
      expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
      const resumed = runChild('none');
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ stoppedBy: null });

      const store = createSqliteStore({ path: join(dir, 'state.db') });
      const inbox = createSqliteInbox({ path: join(dir, 'inbox.db') });
      try {
        expect(await inbox.countPending()).toBe(0);
        const logged = (await listDecisions(store)).filter((d) => d.kind !== 'duplicate');
        expect(logged.map((d) => d.kind).sort()).toEqual(['open', 'resolve', 'update', 'update']);
        expect(new Set(logged.map((d) => d.updateKey)).size).toBe(4);
        const perIncident = (await listIncidentDecisions(store, `azure:${STORM_TRACKING_ID}`)).filter(
          (d) => d.kind !== 'duplicate',
        );
        expect(perIncident.map((d) => d.id).sort()).toEqual(logged.map((d) => d.id).sort());
        const deliveries = await store.list<{ decisionId?: string }>(OUTBOX_COLLECTIONS.deliveries, {
          limit: 1000,
        });
        expect(deliveries.items.map((item) => item.key.split(':')[0]).sort()).toEqual(
          logged.map((d) => d.id).sort(),
        );
      } finally {
        await inbox.close();
        await store.close();
      }
    }, 240_000);
  }
});

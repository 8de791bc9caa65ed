/** runPollRound on the memory store with the real engine: source reachability and event hand-off. */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from '../../../shared/engine/engine-config.ts';
import { processEvents } from '../../../shared/engine/process-event.ts';
import type { CrosswatchEvent } from '../../../shared/event/schema.ts';
import { normalizeText } from '../../../shared/ingest/normalize.ts';
import { HEALTH_SOURCES, type PollResult } from '../../../shared/poll/poll-result.ts';
import { type Poller, runPollRound } from '../../../shared/poll/run-poll-round.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';

const graphEvents = normalizeText(
  readFileSync(new URL('../../fixtures/m365-graph/issues-list-response.json', import.meta.url)),
).events;

const graphPoller = (result: () => PollResult): Poller => ({
  source: HEALTH_SOURCES.m365Graph,
  poll: async () => result(),
});

describe('runPollRound', () => {
  it('hands the events found to the pipeline and records the sources as reachable', async () => {
    const store = createMemoryStore();
    const handed: CrosswatchEvent[] = [];
    const now = () => new Date('2026-11-29T12:00:00Z');
    const summary = await runPollRound(
      [
        graphPoller(() => ({
          source: 'm365-graph',
          status: { reachable: true },
          events: graphEvents,
          notices: [],
        })),
      ],
      {
        store,
        config: DEFAULT_ENGINE_CONFIG,
        now,
        processEvents: async (events) => {
          handed.push(...events);
          return processEvents(events, { store, now });
        },
      },
    );
    expect(handed).toHaveLength(graphEvents.length);
    expect(summary.decisions.map((decision) => decision.incidentKey)).toEqual(['m365:EX226792']);
  });

  it('escalates an unreachable source once after minFailures over unreachableAfterMs, then recovers', async () => {
    const store = createMemoryStore();
    let clock = Date.parse('2026-11-29T12:00:00Z');
    let reachable = false;
    const pollers: Poller[] = [
      graphPoller(() =>
        reachable
          ? { source: 'm365-graph', status: { reachable: true }, events: [], notices: [] }
          : {
              source: 'm365-graph',
              status: { reachable: false, reason: 'HTTP 503' },
              events: [],
              notices: [],
            },
      ),
      { source: HEALTH_SOURCES.azureStatusFeed, poll: () => Promise.reject(new Error('boom')) },
    ];
    const deps = {
      store,
      config: DEFAULT_ENGINE_CONFIG,
      now: () => new Date(clock),
      processEvents: async () => [],
    };
    const kinds: string[] = [];
    for (let round = 0; round < 4; round++) {
      const summary = await runPollRound(pollers, deps);
      kinds.push(...summary.decisions.map((decision) => `${decision.kind}:${decision.incidentKey}`));
      clock += 5 * 60_000;
    }
    expect(kinds).toEqual(['escalate:health-source:m365-graph', 'escalate:health-source:azure-status-feed']);
    reachable = true;
    const after = await runPollRound(pollers, deps);
    expect(after.decisions.map((decision) => `${decision.kind}:${decision.reason}`)).toEqual([
      'recover:health-source-reachable',
    ]);
    expect(after.results[1]?.status).toEqual({ reachable: false, reason: 'Error' });
  });
});

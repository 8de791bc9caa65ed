/**
 * One provider-health poll round: every configured poller runs (concurrently, each bounded by its own
 * timeout), each source's reachability is reported to the engine (an unreachable source escalates
 * `health-source-unreachable` once it has failed long enough; its first success recovers), and the
 * events found go to `processEvents` (the pipeline: evidence → engine → outbox). A poller that throws
 * counts as unreachable; it never stops the others.
 */
import type { Decision } from '../engine/decision.ts';
import type { EngineConfig } from '../engine/engine-config.ts';
import { reportSourceFailure, reportSourceSuccess } from '../engine/health-sources.ts';
import type { CrosswatchEvent } from '../event/schema.ts';
import type { StateStore } from '../store/ports.ts';
import { describeSourceFailure, type HealthSourceId, type PollResult } from './poll-result.ts';

export interface Poller {
  readonly source: HealthSourceId;
  poll(): Promise<PollResult>;
}

export interface PollRoundDeps {
  readonly store: StateStore;
  readonly config: EngineConfig;
  readonly now: () => Date;
  /** Hands the events found to the pipeline; returns the decisions they caused. */
  readonly processEvents: (events: readonly CrosswatchEvent[]) => Promise<readonly Decision[]>;
}

export interface PollRoundSummary {
  readonly results: readonly PollResult[];
  /** Decisions about the sources themselves (escalate / recover) and about the events found. */
  readonly decisions: readonly Decision[];
}

export async function runPollRound(
  pollers: readonly Poller[],
  deps: PollRoundDeps,
): Promise<PollRoundSummary> {
  const results = await Promise.all(
    pollers.map(async (poller): Promise<PollResult> => {
      try {
        return await poller.poll();
      } catch (error) {
        return {
          source: poller.source,
          status: { reachable: false, reason: describeSourceFailure(error) },
          events: [],
          notices: [],
        };
      }
    }),
  );
  const decisions: Decision[] = [];
  const engineDeps = { store: deps.store, config: deps.config, now: deps.now() };
  for (const result of results) {
    const at = deps.now();
    decisions.push(
      ...(result.status.reachable
        ? await reportSourceSuccess({ source: result.source, at }, engineDeps)
        : await reportSourceFailure(
            { source: result.source, error: new Error(result.status.reason), at },
            engineDeps,
          )),
    );
  }
  const events = results.flatMap((result) => result.events);
  if (events.length > 0) decisions.push(...(await deps.processEvents(events)));
  return { results, decisions };
}

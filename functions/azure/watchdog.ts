/**
 * `watchdog` (timer, CROSSWATCH_WATCHDOG_SCHEDULE): the engine's clock-driven decisions
 * (unacknowledged provider outages) and the mesh peers' heartbeats (CROSSWATCH_PEERS, pulled from
 * their status endpoints): a stale peer escalates once through this deployment's sinks.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { runEngineTimers } from '../../shared/pipeline/run-engine-timers.ts';
import { watchPeers } from '../../shared/pipeline/watch-peers.ts';
import { runInvocation } from './app-context.ts';

export async function watchdog(_timer: Timer, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ runtime, logger, pipeline }) => {
    const deps = await pipeline();
    const timers = await runEngineTimers(deps);
    const peers =
      runtime.peers.length === 0 ? null : await watchPeers(runtime.peers, deps, { fetch: runtime.fetch });
    logger.info('watchdog', {
      timerDecisions: timers.decisions.length,
      peers: peers?.pulls.map((pull) => `${pull.peer}:${pull.reachable ? 'reachable' : 'unreachable'}`) ?? [],
      peerDecisions: peers?.decisions.length ?? 0,
      queued: timers.queued + (peers?.queued ?? 0),
    });
  });
}

app.timer('watchdog', { schedule: '%CROSSWATCH_WATCHDOG_SCHEDULE%', handler: watchdog });

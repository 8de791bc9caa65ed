/**
 * `watchdog` (EventBridge Scheduler, every minute or two): records this deployment's own heartbeat,
 * pulls its mesh peers' status (`mesh.peers[].statusUrl`, CROSSWATCH_PEERS; a peer that sends its probe
 * results is heard through them too) and escalates `watchdog-stale` once
 * when its heartbeat is older than `watchdog.staleAfterMs` — or it cannot be reached — then sends
 * the alert right away through this deployment's sinks (SNS SMS, SES, Slack: channels that do not
 * depend on Azure). Also runs the engine's clock-driven decisions (unacknowledged outages).
 */
import type { Context } from 'aws-lambda';
import { sendQueuedNotifications } from '../../shared/pipeline/deliver-notifications.ts';
import { runEngineTimers } from '../../shared/pipeline/run-engine-timers.ts';
import { recordOwnHeartbeat, watchPeers } from '../../shared/pipeline/watch-peers.ts';
import { createNotifySinks } from '../../shared/runtime/create-notify-sinks.ts';
import { registerHandlerDefaults, runLambda } from './lambda-context.ts';
import type { ScheduleEvent } from './scheduled-event.ts';

registerHandlerDefaults({ createSinks: createNotifySinks });

export async function handler(
  _event: ScheduleEvent,
  context: Context,
): Promise<{ stale: string[]; recovered: string[]; queued: number }> {
  return runLambda(context, async ({ runtime, logger, metrics, pipeline, outbox }) => {
    const deps = await pipeline();
    await recordOwnHeartbeat(runtime.deploymentId, deps);
    const timers = await runEngineTimers(deps);
    const watched = await watchPeers(runtime.peers, deps, { fetch: runtime.fetch });
    const queued = timers.queued + watched.queued;
    if (queued > 0) await sendQueuedNotifications(await outbox(), { logger, metrics });
    const stale = watched.decisions.filter((d) => d.reason === 'watchdog-stale').map((d) => d.incidentKey);
    const recovered = watched.decisions
      .filter((d) => d.reason === 'watchdog-recovered')
      .map((d) => d.incidentKey);
    logger.info('watchdog', { peers: watched.pulls.length, stale, recovered, queued });
    return { stale, recovered, queued };
  });
}

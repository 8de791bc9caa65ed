/**
 * `heartbeat` (timer, CROSSWATCH_HEARTBEAT_SCHEDULE): records this deployment's heartbeat in its own
 * store. A heartbeat proves the timers fire and the store answers; the status function publishes
 * it, and the peer deployment's watchdog pulls it.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { recordOwnHeartbeat } from '../../shared/pipeline/watch-peers.ts';
import { runInvocation } from './app-context.ts';

export async function heartbeat(_timer: Timer, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ runtime, logger, pipeline }) => {
    const at = await recordOwnHeartbeat(runtime.deploymentId, await pipeline());
    logger.info('heartbeat', { deploymentId: runtime.deploymentId, at: at.toISOString() });
  });
}

app.timer('heartbeat', { schedule: '%CROSSWATCH_HEARTBEAT_SCHEDULE%', handler: heartbeat });

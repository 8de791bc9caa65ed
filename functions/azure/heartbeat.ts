/**
 * `heartbeat` (timer, CROSSWATCH_HEARTBEAT_SCHEDULE): records this deployment's heartbeat in its own
 * store. A heartbeat proves the timers fire and the store answers; the status function publishes
 * it, and the peer deployment's watchdog pulls it.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { recordHeartbeat } from '../../shared/engine/watchdog.ts';
import { runInvocation } from './app-context.ts';

export async function heartbeat(_timer: Timer, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ app: appContext, logger, pipeline }) => {
    const deps = await pipeline();
    const at = deps.now();
    await recordHeartbeat(
      { deploymentId: appContext.deploymentId, at },
      { store: deps.store, now: at, config: deps.engine },
    );
    logger.info('heartbeat', { deploymentId: appContext.deploymentId, at: at.toISOString() });
  });
}

app.timer('heartbeat', { schedule: '%CROSSWATCH_HEARTBEAT_SCHEDULE%', handler: heartbeat });

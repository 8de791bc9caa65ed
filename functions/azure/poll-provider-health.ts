/**
 * `pollProviderHealth` (timer, CROSSWATCH_POLL_SCHEDULE): Azure Resource Health events and Microsoft
 * 365 service health issues with the function app's managed identity (DefaultAzureCredential) or the
 * configured service principal, and the public status feed; the events go through the engine to the
 * outbox, and an unreachable source is reported to the engine (health-source-unreachable).
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { pollProviderHealth as runPoll } from '../../shared/pipeline/poll-provider-health.ts';
import { runInvocation } from './app-context.ts';

export async function pollProviderHealth(_timer: Timer, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ runtime, logger, pipeline }) => {
    const outcome = await runPoll(await runtime.pollers(), await pipeline());
    logger.info('provider health polled', {
      sources: outcome.results.map(
        (result) => `${result.source}:${result.status.reachable ? 'ok' : 'unreachable'}`,
      ),
      decisions: outcome.decisions.length,
      queued: outcome.queued,
    });
  });
}

app.timer('pollProviderHealth', { schedule: '%CROSSWATCH_POLL_SCHEDULE%', handler: pollProviderHealth });

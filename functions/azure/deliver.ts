/**
 * `deliver` (timer, CROSSWATCH_DELIVER_SCHEDULE, e.g. every minute): drains the durable outbox —
 * every sink's due deliveries in order, retries waiting for their backoff or Retry-After inside the
 * invocation's budget — and leaves the rest for the next tick. Deliveries that exhaust their attempts
 * become dead letters in the outbox (listable and redrivable) and fire their fallback chain.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { drainQueuedNotifications } from '../../shared/pipeline/deliver-notifications.ts';
import { runInvocation } from './app-context.ts';

/** How long one invocation waits for due retries (well inside host.json's 5-minute timeout). */
export const DELIVER_BUDGET_MS = 50_000;

export async function deliver(_timer: Timer, context: InvocationContext): Promise<void> {
  await runInvocation(context, async ({ logger, metrics, outbox }) => {
    await drainQueuedNotifications(await outbox(), { logger, metrics }, DELIVER_BUDGET_MS);
  });
}

app.timer('deliver', { schedule: '%CROSSWATCH_DELIVER_SCHEDULE%', handler: deliver });

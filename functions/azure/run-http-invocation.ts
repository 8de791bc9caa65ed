/**
 * The one wrapper around every HTTP function of the Azure app (the Middy idea: a plain handler
 * wrapped once): the app context (a bad configuration answers 503 — the action group retries 503,
 * and a 500 would drop the alert), the invocation's logger and metrics, anything unexpected logged
 * and answered 503 with no detail, and the metrics always flushed.
 */
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { type Observed, respondObserved } from '../../shared/runtime/run-invocation.ts';
import { type AppContext, getAppContext } from './app-context.ts';

const UNAVAILABLE: HttpResponseInit = {
  status: 503,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': '5',
    'cache-control': 'no-store',
  },
  body: JSON.stringify({ error: 'temporarily unavailable, retry later' }),
};

export async function runHttpInvocation(
  context: InvocationContext,
  work: (app: AppContext, observed: Observed) => Promise<HttpResponseInit>,
): Promise<HttpResponseInit> {
  let app: AppContext;
  try {
    app = await getAppContext();
  } catch (error) {
    context.error(`crosswatch could not start: ${error instanceof Error ? error.name : 'Error'}`);
    return UNAVAILABLE;
  }
  const observed = app.observe(context);
  return respondObserved(observed, context.functionName, UNAVAILABLE, () => work(app, observed));
}

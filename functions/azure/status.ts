/**
 * `status` (HTTP GET /api/status, function key): this deployment's status document — its heartbeat
 * and its open incidents as JSON (shared/mesh/status-document.ts) — what an operator or the peer
 * deployment's watchdog reads. 5xx hides internals.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { runHttpInvocation } from './run-http-invocation.ts';

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export async function status(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return runHttpInvocation(context, async ({ runtime }) => ({
    status: 200,
    headers: HEADERS,
    body: JSON.stringify(await runtime.statusDocument()),
  }));
}

app.http('status', { methods: ['GET'], authLevel: 'function', route: 'status', handler: status });

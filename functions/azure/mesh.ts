/**
 * `mesh` (HTTP POST /api/mesh, anonymous at the host: every request must carry a Standard Webhooks
 * signature made with a mesh peer's secret, docs/mesh.md): a peer deployment's probe results and
 * heartbeat. `acceptWebhook` checks the signature, the timestamp (±5 min) and that the batch names the
 * peer whose secret signed it, then makes it durable on the Storage Queue inbox; `processInbox`
 * ingests it as that vantage's results. Translation only, like serviceHealthWebhook.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { acceptWebhook } from '../../shared/webhook/accept-webhook.ts';
import { runHttpInvocation } from './run-http-invocation.ts';
import { toHttpResponse, toWebhookRequest } from './service-health-webhook.ts';

export async function mesh(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return runHttpInvocation(context, async ({ runtime }, { logger, metrics }) =>
    toHttpResponse(await acceptWebhook(toWebhookRequest(request), await runtime.webhook(logger, metrics))),
  );
}

app.http('mesh', { methods: ['POST'], authLevel: 'anonymous', route: 'mesh', handler: mesh });

/**
 * `serviceHealthWebhook` (HTTP POST /api/service-health): the Azure Monitor action group's target.
 * Translation only: the HttpRequest becomes a WebhookRequest (the body stays a stream, so an
 * oversized chunked body is cut at the limit), `acceptWebhook` authenticates (query token or Entra
 * secure-webhook bearer), bounds, parses and makes the input durable on the Storage Queue inbox, and
 * its WebhookResponse goes back as is. Anything unexpected answers 503 with no detail: the action
 * group retries 503, and a 500 would drop the alert.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import {
  acceptWebhook,
  type WebhookRequest,
  type WebhookResponse,
} from '../../shared/webhook/accept-webhook.ts';
import { runHttpInvocation } from './run-http-invocation.ts';

// Stream request bodies instead of buffering them in the host: the body limit holds for chunked input.
app.setup({ enableHttpStream: true });

export function toWebhookRequest(request: HttpRequest): WebhookRequest {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
  return {
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: request.body ?? new Uint8Array(0),
  };
}

export function toHttpResponse(response: WebhookResponse): HttpResponseInit {
  return { status: response.status, headers: { ...response.headers }, body: response.body };
}

export async function serviceHealthWebhook(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return runHttpInvocation(context, async ({ runtime }, { logger, metrics }) =>
    toHttpResponse(await acceptWebhook(toWebhookRequest(request), await runtime.webhook(logger, metrics))),
  );
}

app.http('serviceHealthWebhook', {
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'service-health',
  handler: serviceHealthWebhook,
});

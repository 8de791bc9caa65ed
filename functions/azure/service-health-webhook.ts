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
import { getAppContext } from './app-context.ts';

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

const UNAVAILABLE: HttpResponseInit = {
  status: 503,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': '5',
    'cache-control': 'no-store',
  },
  body: JSON.stringify({ error: 'temporarily unavailable, retry later' }),
};

export async function serviceHealthWebhook(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  let appContext: Awaited<ReturnType<typeof getAppContext>>;
  try {
    appContext = await getAppContext();
  } catch (error) {
    context.error(`crosswatch could not start: ${error instanceof Error ? error.name : 'Error'}`);
    return UNAVAILABLE;
  }
  const { logger, metrics } = appContext.observe(context);
  try {
    const inbox = await appContext.inbox();
    const response = await acceptWebhook(toWebhookRequest(request), {
      config: appContext.runtime.config.webhook,
      inbox,
      now: appContext.runtime.now,
      logger,
      metrics,
      ...(appContext.options.fetchJwks ? { fetchJwks: appContext.options.fetchJwks } : {}),
    });
    return toHttpResponse(response);
  } catch (error) {
    logger.error('webhook failed', { error });
    return UNAVAILABLE;
  } finally {
    await metrics.flush();
  }
}

app.http('serviceHealthWebhook', {
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'service-health',
  handler: serviceHealthWebhook,
});

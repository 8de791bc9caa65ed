/**
 * `webhook` (Lambda Function URL, or API Gateway HTTP API with payload format 2.0): the same ingress
 * as Azure's — `/api/service-health` (query token or Entra bearer), `/api/webhook` (Standard
 * Webhooks signature or token) and `/api/mesh` (a mesh peer's signed batch) — made durable on the SQS
 * inbox before it answers 202; and `GET /api/status`, this deployment's status document (its
 * heartbeat, for the peers' watchdogs; `?token=` with a webhook token, else 401). Translation
 * only: the v2 event becomes a WebhookRequest (base64 bodies decoded; an API Gateway stage prefix
 * removed from the path), the WebhookResponse goes back as the structured result. Anything
 * unexpected answers 503 with no detail (senders retry 503).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Runtime } from '../../shared/runtime/open-runtime.ts';
import {
  acceptWebhook,
  type WebhookRequest,
  type WebhookResponse,
} from '../../shared/webhook/accept-webhook.ts';
import { verifyWebhookToken } from '../../shared/webhook/webhook-token.ts';
import { runHttpLambda } from './run-http-lambda.ts';

export function toWebhookRequest(event: APIGatewayProxyEventV2): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const stage = event.requestContext.stage;
  let path = event.rawPath || event.requestContext.http.path;
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  return {
    method: event.requestContext.http.method,
    path,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
  };
}

export function toLambdaResult(response: WebhookResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    body: response.body,
    isBase64Encoded: false,
  };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** GET /api/status: the status document for a caller presenting a webhook token. */
async function answerStatus(request: WebhookRequest, runtime: Runtime): Promise<WebhookResponse> {
  if (!verifyWebhookToken(request.query.get('token'), runtime.config.webhook.tokens)) {
    return {
      status: 401,
      headers: { ...JSON_HEADERS, 'www-authenticate': 'Bearer' },
      body: JSON.stringify({ error: 'unauthorized' }),
    };
  }
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(await runtime.statusDocument()) };
}

function isStatusRequest(request: WebhookRequest): boolean {
  const path = request.path.replace(/\/+$/, '');
  return path === '/api/status' && ['GET', 'HEAD'].includes(request.method.toUpperCase());
}

export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  return runHttpLambda(context, async ({ runtime }, { logger, metrics }) => {
    const request = toWebhookRequest(event);
    if (isStatusRequest(request)) return toLambdaResult(await answerStatus(request, runtime));
    return toLambdaResult(await acceptWebhook(request, await runtime.webhook(logger, metrics)));
  });
}

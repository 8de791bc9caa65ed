/**
 * node:http ↔ the core: an IncomingMessage becomes a WebhookRequest (the message itself is the body
 * stream, so the byte limit is enforced while reading), a WebhookResponse is written back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookRequest, WebhookResponse } from '../../shared/webhook/accept-webhook.ts';

export function toWebhookRequest(request: IncomingMessage, url: URL): WebhookRequest {
  // Node already lower-cases header names; only repeated headers need joining.
  const headers: Record<string, string | undefined> = {};
  for (const name in request.headers) {
    const value = request.headers[name];
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: request,
  };
}

/**
 * A refusal decided before the body was read completely (401, 413…) is written only after the rest
 * of the upload has been read and discarded (up to this many bytes, never buffered): Node closes a
 * connection whose request body is unread right after the response, and closing a socket while data
 * still arrives makes the kernel reset it — the client, still sending, would see ECONNRESET/EPIPE
 * instead of the answer. Beyond the limit the connection is cut without an answer.
 */
export const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

function discardRest(request: IncomingMessage): Promise<boolean> {
  return new Promise((resolve) => {
    let discarded = 0;
    request.on('data', (chunk: Buffer) => {
      discarded += chunk.byteLength;
      if (discarded > DISCARD_LIMIT_BYTES) {
        request.destroy();
        resolve(false);
      }
    });
    request.on('end', () => resolve(true));
    request.on('error', () => resolve(false));
    request.on('close', () => resolve(request.complete));
    request.resume();
  });
}

function send(response: ServerResponse, answer: WebhookResponse): void {
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(Buffer.byteLength(answer.body)),
  });
  response.end(answer.body);
}

export async function writeResponse(
  request: IncomingMessage,
  response: ServerResponse,
  answer: WebhookResponse,
): Promise<void> {
  if (request.complete) {
    send(response, answer);
    return;
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > DISCARD_LIMIT_BYTES) {
    request.destroy();
    return;
  }
  if (await discardRest(request)) send(response, answer);
  else if (!response.destroyed) response.destroy();
}

export function writeJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

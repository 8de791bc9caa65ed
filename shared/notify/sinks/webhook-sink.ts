/**
 * Generic webhook signed per Standard Webhooks: `webhook-id` (the deliveryId, the same on every
 * attempt: receivers dedupe on it), `webhook-timestamp` (unix seconds), `webhook-signature`
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64 part of `whsec_…`.
 * Refuses http:// unless `allowInsecure`; refuses destinations that resolve to loopback, private,
 * link-local, CGNAT or metadata addresses (ssrf-guard.ts) after DNS resolution and connects to the
 * checked address; never follows a redirect (a 3xx is permanent).
 */
import { createRedactor, describeSafeError } from '../../observability/redact.ts';
import { signStandardWebhook } from '../../util/standard-webhook-signature.ts';
import { renderWebhookPayload } from '../render/webhook-payload.ts';
import type { Sink } from '../sink.ts';
import type { WebhookSinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { DestinationLookupError, DestinationRefusedError, resolveDestination } from '../ssrf-guard.ts';
import { classifyHttpReply } from './classify-http-reply.ts';
import { postPinned } from './pinned-request.ts';
import { BACKSTOP_TIMEOUT_MS, describeNoReply, summarizeBody, USER_AGENT } from './post-json.ts';

export function createWebhookSink(config: WebhookSinkConfig, deps: SinkDeps = {}): Sink {
  const { now, lookup } = resolveSinkDeps(deps);
  const redact = createRedactor(listConfigSecrets(config));
  return {
    name: config.name,
    kind: 'webhook',
    rateLimit: null,
    async send(message, context) {
      let url: URL;
      try {
        url = new URL(config.url);
      } catch {
        return { outcome: 'permanent', status: null, detail: 'refused: the URL does not parse' };
      }
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && config.allowInsecure)) {
        return {
          outcome: 'permanent',
          status: null,
          detail: `refused: ${url.protocol} is not https (set allowInsecure for local testing)`,
        };
      }
      let address: Awaited<ReturnType<typeof resolveDestination>>;
      try {
        address = await resolveDestination(url.hostname, {
          ...(lookup ? { lookup } : {}),
          allowPrivate: config.allowPrivate === true,
        });
      } catch (error) {
        if (error instanceof DestinationRefusedError) {
          return { outcome: 'permanent', status: null, detail: redact(`refused: ${error.reason}`) };
        }
        const what = error instanceof DestinationLookupError ? error.message : 'lookup failed';
        return {
          outcome: 'transient',
          status: null,
          detail: `${redact(what)}: ${describeSafeError((error as Error).cause ?? error, redact)}`,
        };
      }
      const body = JSON.stringify(renderWebhookPayload(message, context.deliveryId));
      const timestamp = Math.floor(now().getTime() / 1000);
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(BACKSTOP_TIMEOUT_MS)]);
      try {
        const reply = await postPinned({
          url,
          address,
          body,
          signal,
          headers: {
            'content-type': 'application/json',
            'user-agent': USER_AGENT,
            'webhook-id': context.deliveryId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signStandardWebhook(config.secret, context.deliveryId, timestamp, body),
          },
        });
        return classifyHttpReply(reply, {
          now: now(),
          attempt: context.attempt,
          throttleBaseMs: 1_000,
          describe: summarizeBody(reply.body, redact),
        });
      } catch (error) {
        return describeNoReply(error, signal, redact);
      }
    },
  };
}

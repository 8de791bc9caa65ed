/**
 * Generic webhook signed per Standard Webhooks: `webhook-id` (the deliveryId, the same on every
 * attempt: receivers dedupe on it), `webhook-timestamp` (unix seconds), `webhook-signature`
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64 part of `whsec_…`.
 * Refuses http:// unless `allowInsecure`; refuses destinations that resolve to loopback, private,
 * link-local, CGNAT or metadata addresses (ssrf-guard.ts) after DNS resolution and connects to the
 * checked address (guarded-post.ts); never follows a redirect (a 3xx is permanent).
 */
import { createRedactor } from '../../observability/redact.ts';
import { signStandardWebhook } from '../../util/standard-webhook-signature.ts';
import { renderWebhookPayload } from '../render/webhook-payload.ts';
import type { Sink } from '../sink.ts';
import type { WebhookSinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { classifyHttpReply } from './classify-http-reply.ts';
import { postGuarded } from './guarded-post.ts';
import { summarizeBody } from './post-json.ts';

export function createWebhookSink(config: WebhookSinkConfig, deps: SinkDeps = {}): Sink {
  const { fetch, now, lookup } = resolveSinkDeps(deps);
  const redact = createRedactor(listConfigSecrets(config));
  const policy = { allowInsecure: config.allowInsecure, allowPrivate: config.allowPrivate, lookup };
  return {
    name: config.name,
    kind: 'webhook',
    rateLimit: null,
    async send(message, context) {
      const body = JSON.stringify(renderWebhookPayload(message, context.deliveryId));
      const timestamp = Math.floor(now().getTime() / 1000);
      const posted = await postGuarded({
        fetch,
        policy,
        url: config.url,
        body,
        signal: context.signal,
        redact,
        headers: {
          'webhook-id': context.deliveryId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(config.secret, context.deliveryId, timestamp, body),
        },
      });
      if (!posted.ok) return posted.result;
      return classifyHttpReply(posted.reply, {
        now: now(),
        attempt: context.attempt,
        throttleBaseMs: 1_000,
        describe: summarizeBody(posted.reply.body, redact),
      });
    },
  };
}

/**
 * Slack incoming webhook: POST Block Kit JSON. Success is 200 (`ok`); errors are plain-text codes
 * (`invalid_payload` 400, `action_prohibited` 403, `channel_not_found` 404, `channel_is_archived`
 * 410, `rollup_error` 500, `no_service` …) and 429 with `Retry-After` (seconds). Paced at 1/s.
 * The URL passes the SSRF guard (guarded-post.ts; `allowPrivate` admits a private address).
 */
import { createRedactor } from '../../observability/redact.ts';
import { renderSlackMessage } from '../render/slack-message.ts';
import type { Sink } from '../sink.ts';
import type { SlackSinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { classifyHttpReply } from './classify-http-reply.ts';
import { postGuarded } from './guarded-post.ts';
import { summarizeBody } from './post-json.ts';

export function createSlackSink(config: SlackSinkConfig, deps: SinkDeps = {}): Sink {
  const { fetch, now, lookup } = resolveSinkDeps(deps);
  const redact = createRedactor(listConfigSecrets(config));
  const policy = { allowInsecure: config.allowInsecure, allowPrivate: config.allowPrivate, lookup };
  return {
    name: config.name,
    kind: 'slack',
    rateLimit: { requests: 1, perMs: 1_000 },
    async send(message, context) {
      const body = JSON.stringify(renderSlackMessage(message));
      const posted = await postGuarded({
        fetch,
        policy,
        url: config.url,
        body,
        signal: context.signal,
        redact,
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

/**
 * Microsoft Teams Workflows webhook: POST the Adaptive Card envelope (≤ 28 KB). Workflows answer
 * 202 Accepted — the flow posts to the channel asynchronously, so 202 is all the proof there is.
 * More than 4 requests per second are throttled (429): paced at 4/s. The URL passes the SSRF guard
 * (guarded-post.ts; `allowPrivate` admits a private address).
 */
import { createRedactor } from '../../observability/redact.ts';
import { renderTeamsMessage } from '../render/teams-message.ts';
import type { Sink } from '../sink.ts';
import type { TeamsSinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { classifyHttpReply } from './classify-http-reply.ts';
import { postGuarded } from './guarded-post.ts';
import { summarizeBody } from './post-json.ts';

export function createTeamsSink(config: TeamsSinkConfig, deps: SinkDeps = {}): Sink {
  const { fetch, now, lookup } = resolveSinkDeps(deps);
  const redact = createRedactor(listConfigSecrets(config));
  const policy = { allowInsecure: config.allowInsecure, allowPrivate: config.allowPrivate, lookup };
  return {
    name: config.name,
    kind: 'teams',
    rateLimit: { requests: 4, perMs: 1_000 },
    async send(message, context) {
      const body = JSON.stringify(renderTeamsMessage(message));
      const posted = await postGuarded({
        fetch,
        policy,
        url: config.url,
        body,
        signal: context.signal,
        redact,
      });
      if (!posted.ok) return posted.result;
      const { status } = posted.reply;
      const describe =
        status === 202
          ? 'accepted (the flow posts to the channel asynchronously)'
          : summarizeBody(posted.reply.body, redact);
      return classifyHttpReply(posted.reply, {
        now: now(),
        attempt: context.attempt,
        throttleBaseMs: 1_000,
        describe,
      });
    },
  };
}

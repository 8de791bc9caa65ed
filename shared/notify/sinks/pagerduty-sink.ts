/**
 * PagerDuty Events API v2 (`POST https://events.pagerduty.com/v2/enqueue`): a `trigger` for open,
 * reopen, update and escalate messages, a `resolve` with the same dedup_key and routing key for
 * resolve/recover. 202 `{"status":"success","dedup_key":…}` is delivered (the receipt is the
 * dedup_key); 400 is permanent; 429 is retried after its Retry-After or a backoff from 30 s
 * (PagerDuty advises retrying 30 s apart); 5xx transient. An `info` message (an update after
 * resolution) sends nothing: a trigger would open a new alert. Paced at 120/min per key. The URL
 * (an override of the default) passes the SSRF guard (guarded-post.ts; `allowPrivate` admits a
 * private address).
 */
import { createRedactor } from '../../observability/redact.ts';
import { derivePagerDutyDedupKey, renderPagerDutyEvent } from '../render/pagerduty-event.ts';
import type { Sink } from '../sink.ts';
import type { PagerDutySinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { classifyHttpReply } from './classify-http-reply.ts';
import { postGuarded } from './guarded-post.ts';
import { summarizeBody } from './post-json.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_THROTTLE_BASE_MS = 30_000;

function readReply(body: string): { message: string; dedupKey: string | null } {
  try {
    const parsed = JSON.parse(body) as {
      status?: unknown;
      message?: unknown;
      errors?: unknown;
      dedup_key?: unknown;
    };
    const errors = Array.isArray(parsed.errors) ? `: ${parsed.errors.map(String).join('; ')}` : '';
    const message = [parsed.status, parsed.message].filter((v) => typeof v === 'string').join(' - ');
    return {
      message: `${message}${errors}`,
      dedupKey: typeof parsed.dedup_key === 'string' ? parsed.dedup_key : null,
    };
  } catch {
    return { message: body, dedupKey: null };
  }
}

export function createPagerDutySink(config: PagerDutySinkConfig, deps: SinkDeps = {}): Sink {
  const { fetch, now, lookup } = resolveSinkDeps(deps);
  const redact = createRedactor(listConfigSecrets(config));
  const policy = { allowInsecure: config.allowInsecure, allowPrivate: config.allowPrivate, lookup };
  const url = config.url ?? PAGERDUTY_EVENTS_URL;
  return {
    name: config.name,
    kind: 'pagerduty',
    rateLimit: { requests: 120, perMs: 60_000 },
    async send(message, context) {
      if (message.action === 'info') {
        return {
          outcome: 'delivered',
          status: null,
          receipt: null,
          detail: 'informational update: no PagerDuty event sent (a trigger would reopen the alert)',
        };
      }
      const event = renderPagerDutyEvent(message, config.routingKey, message.action);
      const posted = await postGuarded({
        fetch,
        policy,
        url,
        body: JSON.stringify(event),
        signal: context.signal,
        redact,
      });
      if (!posted.ok) return posted.result;
      const reply = readReply(posted.reply.body);
      return classifyHttpReply(posted.reply, {
        now: now(),
        attempt: context.attempt,
        throttleBaseMs: PAGERDUTY_THROTTLE_BASE_MS,
        describe: `${event.event_action} ${summarizeBody(reply.message, redact)}`.trim(),
        receipt: reply.dedupKey ?? derivePagerDutyDedupKey(message.incidentKey),
      });
    },
  };
}

/**
 * Opsgenie Alert API: create (`POST /v2/alerts`) with the incident's alias, close by alias
 * (`POST /v2/alerts/{alias}/close?identifierType=alias`), `Authorization: GenieKey …`. US
 * https://api.opsgenie.com or EU https://api.eu.opsgenie.com. Requests are processed
 * asynchronously: 202 `{"result":"Request will be processed","requestId":…}` is delivered and the
 * requestId is the receipt. An `info` message sends nothing. The API URL (or its override) passes
 * the SSRF guard (guarded-post.ts; `allowPrivate` admits a private address).
 */
import { createRedactor } from '../../observability/redact.ts';
import { deriveOpsgenieAlias, renderOpsgenieClose, renderOpsgenieCreate } from '../render/opsgenie-alert.ts';
import type { Sink } from '../sink.ts';
import type { OpsgenieSinkConfig } from '../sink-config.ts';
import { listConfigSecrets } from '../sink-config.ts';
import { resolveSinkDeps, type SinkDeps } from '../sink-deps.ts';
import { classifyHttpReply } from './classify-http-reply.ts';
import { postGuarded } from './guarded-post.ts';
import { summarizeBody } from './post-json.ts';

export const OPSGENIE_API_URLS = {
  us: 'https://api.opsgenie.com',
  eu: 'https://api.eu.opsgenie.com',
} as const;

function readReply(body: string): { message: string; requestId: string | null } {
  try {
    const parsed = JSON.parse(body) as { result?: unknown; message?: unknown; requestId?: unknown };
    const text = [parsed.result, parsed.message].filter((v) => typeof v === 'string').join(' - ');
    return { message: text, requestId: typeof parsed.requestId === 'string' ? parsed.requestId : null };
  } catch {
    return { message: body, requestId: null };
  }
}

export function createOpsgenieSink(config: OpsgenieSinkConfig, deps: SinkDeps = {}): Sink {
  const { fetch, now, lookup } = resolveSinkDeps(deps);
  const redact = createRedactor(listConfigSecrets(config));
  const policy = { allowInsecure: config.allowInsecure, allowPrivate: config.allowPrivate, lookup };
  const base = (config.url ?? OPSGENIE_API_URLS[config.region]).replace(/\/+$/, '');
  return {
    name: config.name,
    kind: 'opsgenie',
    rateLimit: null,
    async send(message, context) {
      if (message.action === 'info') {
        return {
          outcome: 'delivered',
          status: null,
          receipt: null,
          detail: 'informational update: no Opsgenie request sent',
        };
      }
      const alias = deriveOpsgenieAlias(message.incidentKey);
      const closing = message.action === 'resolve';
      const url = closing
        ? `${base}/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`
        : `${base}/v2/alerts`;
      const body = JSON.stringify(closing ? renderOpsgenieClose(message) : renderOpsgenieCreate(message));
      const posted = await postGuarded({
        fetch,
        policy,
        url,
        body,
        headers: { authorization: `GenieKey ${config.apiKey}` },
        signal: context.signal,
        redact,
      });
      if (!posted.ok) return posted.result;
      const reply = readReply(posted.reply.body);
      return classifyHttpReply(posted.reply, {
        now: now(),
        attempt: context.attempt,
        throttleBaseMs: 1_000,
        describe: `${closing ? 'close' : 'create'} ${summarizeBody(reply.message, redact)}`.trim(),
        receipt: reply.requestId,
      });
    },
  };
}

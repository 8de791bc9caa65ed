/**
 * The one way the HTTP sinks (Slack, Teams, PagerDuty, Opsgenie, the signed webhook, mesh peers)
 * POST: the destination is checked by the SSRF guard first (check-destination.ts: refused →
 * `permanent`, before any connection), then the request goes to the checked address, pinned
 * (pinned-request.ts: no second DNS lookup, so no rebinding), redirects never followed, the reply
 * read up to a bound and redacted before it is cut. Given a `fetch` stand-in (tests, a runtime
 * simulating an outage), the guard still checks the destination and the request goes through it.
 * Never throws.
 */
import type { Redactor } from '../../observability/redact.ts';
import { checkDestinationUrl, type DestinationPolicy } from './check-destination.ts';
import { postPinned } from './pinned-request.ts';
import {
  BACKSTOP_TIMEOUT_MS,
  describeNoReply,
  type PostJsonOutcome,
  postJson,
  USER_AGENT,
} from './post-json.ts';

export interface GuardedPostRequest {
  readonly url: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly redact: Redactor;
  readonly policy: DestinationPolicy;
  /** A stand-in for the network: checked the same way, but the connection is not pinned. */
  readonly fetch?: typeof fetch | undefined;
}

export async function postGuarded(request: GuardedPostRequest): Promise<PostJsonOutcome> {
  const { redact } = request;
  const checked = await checkDestinationUrl(request.url, request.policy, redact);
  if (!checked.ok) return checked;
  const headers = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...request.headers };
  if (request.fetch) {
    return postJson({
      fetch: request.fetch,
      url: request.url,
      body: request.body,
      headers,
      signal: request.signal,
      redact,
    });
  }
  const signal = AbortSignal.any([request.signal, AbortSignal.timeout(BACKSTOP_TIMEOUT_MS)]);
  try {
    const reply = await postPinned({
      url: checked.url,
      address: checked.address,
      headers,
      body: request.body,
      signal,
      redact,
    });
    return { ok: true, reply };
  } catch (error) {
    return { ok: false, result: describeNoReply(error, signal, redact) };
  }
}

/**
 * The webhook ingress, cloud-agnostic: the Azure Function, the Lambda Function URL handler and the
 * local runner translate their request into a WebhookRequest and send back the WebhookResponse.
 *
 * Order of checks (each refusal enqueues nothing):
 *   405  not POST (Allow: POST)
 *   404  not a webhook route
 *   413  declared Content-Length over `maxBodyBytes` (before auth, before reading a byte)
 *   401  authentication: `?token=` (constant-time), an Entra secure-webhook bearer token
 *        (service-health route), a Standard Webhooks signature (webhook route), a mesh peer's
 *        signature whose batch names that same peer as its sender (mesh route); no detail is given;
 *        401 for an Entra bearer token only when it fails against keys that were actually fetched
 *   503  an Entra bearer token cannot be checked because the tenant's signing keys (JWKS) cannot be
 *        fetched and none are cached (Retry-After: 5): the sender retries, the alert is not lost
 *   413  the streamed body crosses `maxBodyBytes` (counted while reading, the read stops there)
 *   400  not JSON
 *   403  (not on the mesh route) a subscription allowlist is configured and the payload names a subscription outside it, or
 *        none at all: the caller is authenticated, so it is told plainly that this content is not
 *        accepted (Azure does not retry 403; one audit line is logged)
 *   503  the inbox could not make the entry durable (Retry-After: 5; Azure retries 503)
 *   202  only after `inbox.put` resolved
 * HTTP statuses are decided here and nowhere else in the core.
 */

import { createInboxEntry, type Inbox } from '../inbox/inbox.ts';
import type { MeshPeer } from '../mesh/mesh-peer.ts';
import { readBatchSender } from '../mesh/peer-batch.ts';
import type { Logger } from '../observability/logger.ts';
import { METRIC_NAMES, type Metrics } from '../observability/metrics.ts';
import { verifyStandardWebhook } from '../util/standard-webhook-signature.ts';
import { type EntraKeyResolver, readBearerToken, verifyEntraWebhookToken } from './entra-webhook-token.ts';
import { BodyReadError, BodyTooLargeError, type RequestBody, readLimitedBody } from './read-limited-body.ts';
import type { WebhookConfig } from './webhook-config.ts';
import { verifyWebhookToken } from './webhook-token.ts';

export interface WebhookRequest {
  readonly method: string;
  /** The URL path, e.g. `/api/service-health`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: RequestBody;
}

export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface AcceptWebhookDeps {
  readonly config: WebhookConfig;
  readonly inbox: Inbox;
  readonly now: () => Date;
  readonly logger: Logger;
  /**
   * Resolves Entra signing keys: the runtime's cached key set (entra-key-set.ts), a local JWKS in
   * tests; default: a process-wide cached key set for the configured JWKS URL.
   */
  readonly fetchJwks?: EntraKeyResolver;
  readonly metrics?: Metrics;
  /** The mesh peers whose signed batches the mesh route accepts (mesh-peer.ts). */
  readonly peers?: readonly MeshPeer[];
}

export type WebhookAuthMode = 'token' | 'entra' | 'standard-webhooks' | 'peer';

export interface WebhookRoute {
  readonly path: string;
  /** The inbox `source` of what this route accepts. */
  readonly source: string;
  readonly auth: readonly WebhookAuthMode[];
}

/** The routes, identical on Azure, AWS and the local runner. */
export const WEBHOOK_ROUTES: readonly WebhookRoute[] = [
  { path: '/api/service-health', source: 'service-health', auth: ['token', 'entra'] },
  { path: '/api/webhook', source: 'webhook', auth: ['standard-webhooks', 'token'] },
  { path: '/api/mesh', source: 'mesh', auth: ['peer'] },
];

export function findWebhookRoute(path: string): WebhookRoute | undefined {
  const normalized = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return WEBHOOK_ROUTES.find((route) => route.path === normalized);
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function respond(
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

const REFUSALS = {
  405: () => respond(405, { error: 'method not allowed' }, { allow: 'POST' }),
  404: () => respond(404, { error: 'not found' }),
  401: () => respond(401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' }),
  413: () => respond(413, { error: 'payload too large' }),
  400: () => respond(400, { error: 'body is not valid JSON' }),
  403: () => respond(403, { error: 'subscription not allowed' }),
  503: () => respond(503, { error: 'temporarily unavailable, retry later' }, { 'retry-after': '5' }),
} as const;

/** `keys-unavailable`: an Entra token could not be checked (no signing keys): 503, not 401. */
type AuthResult = 'ok' | 'denied' | 'needs-body' | 'keys-unavailable';

async function authenticateByHeaders(
  request: WebhookRequest,
  route: WebhookRoute,
  deps: AcceptWebhookDeps,
  audit: (code: string) => void,
): Promise<AuthResult> {
  const { config } = deps;
  const signed = request.headers['webhook-signature'] !== undefined;
  if (route.auth.includes('peer')) {
    if (signed) return 'needs-body';
    audit('missing');
    return 'denied';
  }
  if (route.auth.includes('standard-webhooks') && signed) return 'needs-body';
  const token = request.query.get('token');
  if (token !== null && route.auth.includes('token')) {
    if (verifyWebhookToken(token, config.tokens)) return 'ok';
    audit('token');
    return 'denied';
  }
  const bearer = readBearerToken(request.headers.authorization);
  if (bearer !== undefined && route.auth.includes('entra') && config.entra !== null) {
    const verdict = await verifyEntraWebhookToken(bearer, config.entra, {
      now: deps.now(),
      ...(deps.fetchJwks ? { keys: deps.fetchJwks } : {}),
    });
    if (verdict.kind === 'valid') return 'ok';
    audit(verdict.reason);
    return verdict.kind === 'keys-unavailable' ? 'keys-unavailable' : 'denied';
  }
  audit('missing');
  return 'denied';
}

/** Subscription ids (lower-case) a parsed payload names, via the normalizer (loaded lazily). */
async function listPayloadSubscriptions(document: unknown, now: () => Date): Promise<string[] | undefined> {
  const { normalizeDocument } = await import('../ingest/normalize.ts');
  try {
    const output = normalizeDocument(document, { now });
    const ids = new Set<string>();
    for (const event of output.events) {
      const scope = (event.data as { scope?: { subscriptionIds?: readonly string[] } }).scope;
      for (const id of scope?.subscriptionIds ?? []) ids.add(id.toLowerCase());
    }
    return [...ids];
  } catch {
    return undefined;
  }
}

/** A Standard Webhooks signature over the body, checked against every configured secret. */
function verifyBodySignature(request: WebhookRequest, body: Uint8Array, deps: AcceptWebhookDeps): boolean {
  return verifyStandardWebhook(
    {
      id: request.headers['webhook-id'],
      timestamp: request.headers['webhook-timestamp'],
      signature: request.headers['webhook-signature'],
    },
    body,
    deps.config.standardWebhookSecrets,
    deps.now(),
  );
}

/** The mesh peer whose secret signed this body, if any. */
function identifyPeer(
  request: WebhookRequest,
  body: Uint8Array,
  deps: AcceptWebhookDeps,
): MeshPeer | undefined {
  const headers = {
    id: request.headers['webhook-id'],
    timestamp: request.headers['webhook-timestamp'],
    signature: request.headers['webhook-signature'],
  };
  return (deps.peers ?? []).find(
    (peer) => peer.secret !== null && verifyStandardWebhook(headers, body, [peer.secret], deps.now()),
  );
}

/** The body as JSON (a UTF-8 BOM allowed); undefined when it is not JSON. */
function parseJsonBody(body: Uint8Array): { readonly document: unknown } | undefined {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return { document: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch {
    return undefined;
  }
}

/** With an allowlist configured: the subscriptions the payload names outside it (`(none)` if it names none). */
async function listOutsideSubscriptions(document: unknown, deps: AcceptWebhookDeps): Promise<string[]> {
  const { allowedSubscriptionIds } = deps.config;
  if (allowedSubscriptionIds.length === 0) return [];
  const allowed = new Set(allowedSubscriptionIds.map((id) => id.toLowerCase()));
  const named = await listPayloadSubscriptions(document, deps.now);
  return named === undefined || named.length === 0 ? ['(none)'] : named.filter((id) => !allowed.has(id));
}

/** Makes the body durable in the inbox: 202 once `inbox.put` resolved, 503 when it failed. */
async function storeInInbox(
  request: WebhookRequest,
  route: WebhookRoute,
  body: Uint8Array,
  deps: AcceptWebhookDeps,
): Promise<WebhookResponse> {
  const { logger, metrics } = deps;
  const { source } = route;
  const started = performance.now();
  const entry = createInboxEntry(body, {
    source,
    contentType: request.headers['content-type'] ?? 'application/json',
    receivedAt: deps.now(),
  });
  try {
    await deps.inbox.put(entry);
  } catch (error) {
    logger.error('webhook not durable', {
      route: request.path,
      status: 503,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    metrics?.count(METRIC_NAMES.ingestRefused, { source, status: '503' });
    return REFUSALS[503]();
  }
  metrics?.count(METRIC_NAMES.ingestAccepted, { source });
  metrics?.observe(METRIC_NAMES.ingestDurableLatencyMs, performance.now() - started, { source });
  logger.debug('webhook accepted', { route: request.path, status: 202, inboxId: entry.id });
  return respond(202, { status: 'accepted', id: entry.id });
}

export async function acceptWebhook(
  request: WebhookRequest,
  deps: AcceptWebhookDeps,
): Promise<WebhookResponse> {
  const { config, logger, metrics } = deps;
  const route = findWebhookRoute(request.path);
  const source = route?.source ?? 'unknown';
  const refuse = (status: keyof typeof REFUSALS, reason: string, fields: Record<string, unknown> = {}) => {
    metrics?.count(METRIC_NAMES.ingestRefused, { source, status: String(status) });
    logger.warn('webhook refused', { route: request.path, status, reason, ...fields });
    return REFUSALS[status]();
  };

  if (request.method.toUpperCase() !== 'POST') return refuse(405, 'method');
  if (route === undefined) return refuse(404, 'route');
  const declaredLength = request.headers['content-length'];
  if (
    declaredLength !== undefined &&
    /^\d+$/.test(declaredLength.trim()) &&
    Number(declaredLength) > config.maxBodyBytes
  ) {
    return refuse(413, 'content-length');
  }

  let authFailure = 'unknown';
  const auth = await authenticateByHeaders(request, route, deps, (code) => {
    authFailure = code;
  });
  if (auth === 'denied') return refuse(401, `auth:${authFailure}`);
  if (auth === 'keys-unavailable') return refuse(503, 'auth:keys-unavailable', { detail: authFailure });

  let body: Uint8Array;
  try {
    body = await readLimitedBody(request.body, config.maxBodyBytes, declaredLength);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return refuse(413, 'body');
    if (error instanceof BodyReadError) return refuse(400, 'body-read');
    throw error;
  }
  if (route.auth.includes('peer')) {
    const peer = identifyPeer(request, body, deps);
    if (peer === undefined) return refuse(401, 'auth:signature');
    const parsed = parseJsonBody(body);
    if (parsed === undefined) return refuse(400, 'json');
    // The signature says which peer sent it; a batch claiming another sender is refused as forged.
    if (readBatchSender(parsed.document) !== peer.id) return refuse(401, 'auth:peer', { peer: peer.id });
    return storeInInbox(request, route, body, deps);
  }
  if (auth === 'needs-body' && !verifyBodySignature(request, body, deps))
    return refuse(401, 'auth:signature');

  const parsed = parseJsonBody(body);
  if (parsed === undefined) return refuse(400, 'json');
  const outside = await listOutsideSubscriptions(parsed.document, deps);
  if (outside.length > 0) return refuse(403, 'subscription', { subscriptionIds: outside });
  return storeInInbox(request, route, body, deps);
}

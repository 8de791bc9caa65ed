/**
 * Entra secure-webhook tokens when the tenant's JWKS is unreachable or erroring: acceptWebhook
 * answers 503 with Retry-After (action groups retry 503, never 401) whenever the keys cannot be had,
 * 401 only for a token that fails against keys that were fetched, and keeps accepting tokens that
 * verify against the cached keys through a JWKS outage of up to 24 hours. Real parts: a loopback
 * JWKS server switched between answers, a server that never answers, a refused port, jose-signed
 * tokens, a store-backed inbox; the key set's clock is a variable the test moves.
 */
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStoreInbox, type InboxQueue } from '../../../shared/inbox/inbox.ts';
import { createSilentLogger } from '../../../shared/observability/logger.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { acceptWebhook, type WebhookResponse } from '../../../shared/webhook/accept-webhook.ts';
import { createEntraKeySet, type EntraKeySetOptions } from '../../../shared/webhook/entra-key-set.ts';
import { AZNS_WEBHOOK_APP_ID, type EntraKeyResolver } from '../../../shared/webhook/entra-webhook-token.ts';
import type { WebhookConfig } from '../../../shared/webhook/webhook-config.ts';
import {
  createEntraKeys,
  ENTRA_CLIENT_ID,
  ENTRA_TENANT,
  type EntraKeys,
  type JwksMode,
  type JwksServer,
  startJwksServer,
} from '../../helpers/entra-jwks.ts';
import { findClosedPort, type Loopback, startSilentServer } from '../../helpers/loopback-servers.ts';

const PAYLOAD = readFileSync(
  new URL(
    '../../fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json',
    import.meta.url,
  ),
);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let keys: EntraKeys;
let jwks: JwksServer;
let silent: Loopback;
let closedUrl: string;

beforeAll(async () => {
  keys = await createEntraKeys();
  [jwks, silent] = await Promise.all([startJwksServer(keys), startSilentServer()]);
  closedUrl = `http://127.0.0.1:${await findClosedPort()}/keys`;
});

afterAll(async () => {
  await Promise.all([jwks.close(), silent.close()]);
});

let clock: number;
let inbox: InboxQueue;
const now = () => new Date(clock);

beforeEach(() => {
  clock = Date.parse('2026-11-29T12:00:00.000Z');
  inbox = createStoreInbox(createMemoryStore());
  jwks.mode = 'keys';
});

afterEach(() => {
  jwks.mode = 'keys';
});

function config(jwksUrl: string): WebhookConfig {
  return {
    tokens: [],
    entra: {
      tenantId: ENTRA_TENANT,
      audience: [`api://${ENTRA_CLIENT_ID}`],
      allowedAppIds: [AZNS_WEBHOOK_APP_ID],
      jwksUrl,
    },
    standardWebhookSecrets: [],
    maxBodyBytes: 1024 * 1024,
    allowedSubscriptionIds: [],
  };
}

function keySet(overrides: Partial<EntraKeySetOptions> = {}): EntraKeyResolver {
  return createEntraKeySet({ url: jwks.jwksUrl, now, ...overrides });
}

/** POSTs the alert with `Authorization: Bearer <token>` to /api/service-health. */
async function post(
  token: string,
  resolver: EntraKeyResolver,
  jwksUrl = jwks.jwksUrl,
): Promise<WebhookResponse> {
  return acceptWebhook(
    {
      method: 'POST',
      path: '/api/service-health',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: PAYLOAD,
    },
    { config: config(jwksUrl), inbox, now, logger: createSilentLogger(), fetchJwks: resolver },
  );
}

const validToken = () => keys.signToken(now());

function expectRetryLater(response: WebhookResponse): void {
  expect(response.status).toBe(503);
  expect(response.headers['retry-after']).toBe('5');
  expect(JSON.parse(response.body)).toEqual({ error: 'temporarily unavailable, retry later' });
}

describe('Entra keys unavailable: 503 with Retry-After, never 401', () => {
  it.each<[string, JwksMode]>([
    ['answers HTTP 500', 'http-500'],
    ['answers a body that is not JSON', 'not-json'],
    ['answers JSON that is not a key set', 'not-a-key-set'],
  ])('answers 503 to a valid token when the JWKS %s, and queues nothing', async (_label, mode) => {
    jwks.mode = mode;
    const before = jwks.requests;
    expectRetryLater(await post(await validToken(), keySet()));
    expect(jwks.requests).toBe(before + 1);
    expect(await inbox.countPending()).toBe(0);
  });

  it('answers 503 when the JWKS refuses connections', async () => {
    const response = await post(await validToken(), keySet({ url: closedUrl }), closedUrl);
    expectRetryLater(response);
    expect(await inbox.countPending()).toBe(0);
  });

  it('answers 503 when the JWKS does not answer within the fetch timeout', async () => {
    const url = `${silent.url}/keys`;
    const response = await post(await validToken(), keySet({ url, timeoutMs: 200 }), url);
    expectRetryLater(response);
  });

  it('answers 503 for a jose remote key set (createRemoteJWKSet) that cannot fetch, too', async () => {
    jwks.mode = 'http-500';
    const remote = createRemoteJWKSet(new URL(jwks.jwksUrl), { timeoutDuration: 1000 });
    expectRetryLater(await post(await validToken(), remote));
  });

  it('fetches again after the failure back-off and then accepts', async () => {
    const resolver = keySet();
    jwks.mode = 'http-500';
    expectRetryLater(await post(await validToken(), resolver));
    jwks.mode = 'keys';
    // Within the back-off the failure is answered at once, without a fetch.
    const before = jwks.requests;
    expectRetryLater(await post(await validToken(), resolver));
    expect(jwks.requests).toBe(before);
    clock += 6000;
    expect((await post(await validToken(), resolver)).status).toBe(202);
    expect(await inbox.countPending()).toBe(1);
  });

  it('shares one fetch among concurrent requests', async () => {
    const resolver = keySet();
    const before = jwks.requests;
    const tokens = await Promise.all(
      Array.from({ length: 5 }, (_, n) => keys.signToken(now(), { jti: `t${n}` })),
    );
    const responses = await Promise.all(tokens.map((token) => post(token, resolver)));
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
    expect(jwks.requests).toBe(before + 1);
  });
});

describe('Entra tokens against fetched keys: 401', () => {
  it.each<[string, Record<string, unknown>, { key?: 'stranger'; kid?: string }]>([
    ['a bad signature (known kid, another key)', {}, { key: 'stranger' }],
    ['a wrong audience', { aud: 'api://someone-else' }, {}],
    [
      'a wrong issuer',
      { iss: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0' },
      {},
    ],
    ['an expired token', { exp: Math.floor(Date.parse('2026-11-29T10:00:00Z') / 1000) }, {}],
  ])('answers 401 to %s', async (_label, claims, options) => {
    const response = await post(await keys.signToken(now(), claims, options), keySet());
    expect(response.status).toBe(401);
    expect(await inbox.countPending()).toBe(0);
  });

  it('answers 401 to an unknown kid after a successful refetch, 503 when the refetch fails', async () => {
    const resolver = keySet();
    expect((await post(await validToken(), resolver)).status).toBe(202);
    const unknownKid = () => keys.signToken(now(), {}, { key: 'stranger', kid: 'rotated-key' });
    // Past the cooldown an unknown kid makes one refetch, which succeeds and still lacks it: 401.
    clock += 31_000;
    let before = jwks.requests;
    expect((await post(await unknownKid(), resolver)).status).toBe(401);
    expect(jwks.requests).toBe(before + 1);
    // Right after that successful fetch the key set is authoritative: 401 without fetching.
    before = jwks.requests;
    expect((await post(await unknownKid(), resolver)).status).toBe(401);
    expect(jwks.requests).toBe(before);
    // The key might be new and the JWKS is down: the token cannot be judged.
    clock += 31_000;
    jwks.mode = 'http-500';
    expectRetryLater(await post(await unknownKid(), resolver));
    // A token signed with a cached key is still accepted.
    expect((await post(await keys.signToken(now(), { jti: 'other' }), resolver)).status).toBe(202);
  });
});

describe('cached keys through a JWKS outage (stale-if-error)', () => {
  it('accepts tokens that verify against the cached keys for up to 24 h after the last good fetch, then answers 503', async () => {
    const resolver = keySet();
    expect((await post(await validToken(), resolver)).status).toBe(202);
    jwks.mode = 'http-500';
    const accepted: number[] = [];
    for (const step of [11 * MINUTE, 2 * HOUR, 12 * HOUR, 9 * HOUR]) {
      clock += step;
      accepted.push((await post(await keys.signToken(now(), { jti: String(clock) }), resolver)).status);
    }
    // 23 h 11 min after the last good fetch.
    expect(accepted).toEqual([202, 202, 202, 202]);
    clock += HOUR;
    expectRetryLater(await post(await validToken(), resolver));
    // The JWKS is back: the next fetch after the back-off renews the window.
    jwks.mode = 'keys';
    clock += 6000;
    expect((await post(await keys.signToken(now(), { jti: 'back' }), resolver)).status).toBe(202);
  });

  it('uses a key set for 10 minutes without fetching, then refreshes it in the background while still using it', async () => {
    const resolver = keySet();
    const before = jwks.requests;
    expect((await post(await validToken(), resolver)).status).toBe(202);
    clock += 9 * MINUTE;
    expect((await post(await keys.signToken(now(), { jti: 'fresh' }), resolver)).status).toBe(202);
    expect(jwks.requests).toBe(before + 1);
    clock += 2 * MINUTE;
    expect((await post(await keys.signToken(now(), { jti: 'stale' }), resolver)).status).toBe(202);
    await vi.waitFor(() => expect(jwks.requests).toBe(before + 2));
  });

  it('answers 401 to a bad token during the outage (the cached keys are authoritative)', async () => {
    const resolver = keySet();
    expect((await post(await validToken(), resolver)).status).toBe(202);
    jwks.mode = 'http-500';
    clock += 2 * HOUR;
    expect((await post(await keys.signToken(now(), {}, { key: 'stranger' }), resolver)).status).toBe(401);
  });
});

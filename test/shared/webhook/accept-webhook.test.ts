/**
 * The webhook ingress's security and durability rules, against real parts: a real store-backed
 * inbox, JWTs signed with jose and verified against a JWKS served by a loopback HTTP server, real
 * HMAC signatures, streamed bodies.
 */
import type { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStoreInbox, type InboxQueue } from '../../../shared/inbox/inbox.ts';
import { createSilentLogger } from '../../../shared/observability/logger.ts';
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { type StateStore, StoreUnavailableError } from '../../../shared/store/ports.ts';
import { signStandardWebhook } from '../../../shared/util/standard-webhook-signature.ts';
import {
  type AcceptWebhookDeps,
  acceptWebhook,
  type WebhookRequest,
} from '../../../shared/webhook/accept-webhook.ts';
import { AZNS_WEBHOOK_APP_ID, SECURE_WEBHOOK_ROLE } from '../../../shared/webhook/entra-webhook-token.ts';
import type { WebhookConfig } from '../../../shared/webhook/webhook-config.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT_ID = 'a5b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const TOKEN = 'local-secret-token-0123456789abcdef';
const WHSEC = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const NOW = new Date('2026-11-29T12:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const SUBSCRIPTION = 'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e';
const PAYLOAD = readFileSync(
  new URL(
    '../../fixtures/azure-monitor-common/test-action-service-health-incident-resolved.json',
    import.meta.url,
  ),
);

let jwksServer: Server;
let jwksUrl: string;
let signingKey: webcrypto.CryptoKey;
let strangerKey: webcrypto.CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  strangerKey = stranger.privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  const body = JSON.stringify({ keys: [jwk] });
  jwksServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/discovery/v2.0/keys`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
});

function webhookConfig(overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    tokens: [TOKEN],
    entra: {
      tenantId: TENANT,
      audience: [`api://${CLIENT_ID}`, CLIENT_ID],
      allowedAppIds: [AZNS_WEBHOOK_APP_ID],
      jwksUrl,
    },
    standardWebhookSecrets: [WHSEC],
    maxBodyBytes: 1024 * 1024,
    allowedSubscriptionIds: [],
    ...overrides,
  };
}

let store: StateStore;
let inbox: InboxQueue;

beforeEach(() => {
  store = createMemoryStore();
  inbox = createStoreInbox(store);
});

function deps(overrides: Partial<AcceptWebhookDeps> = {}): AcceptWebhookDeps {
  return { config: webhookConfig(), inbox, now: () => NOW, logger: createSilentLogger(), ...overrides };
}

function request(overrides: Partial<WebhookRequest> & { token?: string } = {}): WebhookRequest {
  const { token, ...rest } = overrides;
  const query = new URLSearchParams();
  if (token !== undefined) query.set('token', token);
  return {
    method: 'POST',
    path: '/api/service-health',
    query,
    headers: { 'content-type': 'application/json', 'content-length': String(PAYLOAD.byteLength) },
    body: PAYLOAD,
    ...rest,
  };
}

async function expectNothingQueued(): Promise<void> {
  expect(await inbox.countPending()).toBe(0);
  expect((await store.list('inbox')).items).toEqual([]);
}

interface Claims {
  aud?: string;
  iss?: string;
  azp?: string;
  appid?: string;
  roles?: string[];
  tid?: string;
  exp?: number;
  nbf?: number;
}

async function signToken(
  claims: Claims = {},
  options: { key?: webcrypto.CryptoKey; kid?: string } = {},
): Promise<string> {
  const payload: Record<string, unknown> = {
    aud: `api://${CLIENT_ID}`,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    azp: AZNS_WEBHOOK_APP_ID,
    roles: [SECURE_WEBHOOK_ROLE],
    tid: TENANT,
    exp: NOW_S + 3600,
    nbf: NOW_S - 60,
    iat: NOW_S - 60,
    ...claims,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1', typ: 'JWT' })
    .sign(options.key ?? signingKey);
}

function bearer(token: string): WebhookRequest {
  return request({ headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
}

describe('acceptWebhook: secret token', () => {
  it.each([
    ['missing', undefined],
    ['wrong', 'local-secret-token-0123456789abcdeX'],
    ['1 byte', 'x'],
    ['10 KB', 'a'.repeat(10 * 1024)],
    ['empty', ''],
  ])('answers 401 to a %s token and queues nothing', async (_label, token) => {
    const response = await acceptWebhook(request(token === undefined ? {} : { token }), deps());
    expect(response.status).toBe(401);
    expect(response.body).toBe('{"error":"unauthorized"}');
    await expectNothingQueued();
  });

  it('accepts a valid token with 202 only once the entry is durable in the inbox', async () => {
    const response = await acceptWebhook(request({ token: TOKEN }), deps());
    expect(response.status).toBe(202);
    const pending = await inbox.listPending();
    expect(pending).toHaveLength(1);
    expect(pending[0]?.body).toBe(PAYLOAD.toString('utf8'));
    expect(pending[0]?.source).toBe('service-health');
    expect(pending[0]?.receivedAt).toBe(NOW.toISOString());
    expect(JSON.parse(response.body)).toEqual({ status: 'accepted', id: pending[0]?.id });
  });

  it('stores a redelivered body once', async () => {
    expect((await acceptWebhook(request({ token: TOKEN }), deps())).status).toBe(202);
    expect((await acceptWebhook(request({ token: TOKEN }), deps())).status).toBe(202);
    expect(await inbox.countPending()).toBe(1);
  });

  it('accepts a rotated token (any configured one)', async () => {
    const config = webhookConfig({ tokens: ['old-token-0123456789abcdef', TOKEN] });
    expect((await acceptWebhook(request({ token: TOKEN }), deps({ config }))).status).toBe(202);
  });
});

describe('acceptWebhook: Entra ID secure webhook', () => {
  it('accepts a valid v2 token (azp) and a valid v1 token (appid, sts.windows.net issuer)', async () => {
    expect((await acceptWebhook(bearer(await signToken()), deps())).status).toBe(202);
    const v1 = await signToken({
      iss: `https://sts.windows.net/${TENANT}/`,
      azp: undefined,
      appid: AZNS_WEBHOOK_APP_ID,
      aud: CLIENT_ID,
    });
    const other = request({
      headers: { 'content-type': 'application/json', authorization: `Bearer ${v1}` },
      body: Buffer.from(`${PAYLOAD.toString('utf8')}\n`),
    });
    expect((await acceptWebhook(other, deps())).status).toBe(202);
    expect(await inbox.countPending()).toBe(2);
  });

  it.each<[string, Claims]>([
    ['a wrong audience', { aud: 'api://someone-else' }],
    ['another tenant as issuer', { iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }],
    ['a tid of another tenant', { tid: OTHER_TENANT }],
    ['an app id that is not allowed', { azp: '00000000-0000-0000-0000-000000000001' }],
    ['no app id', { azp: undefined }],
    ['roles without ActionGroupsSecureWebhook', { roles: ['SomethingElse'] }],
    ['no roles', { roles: undefined }],
    ['an expired token', { exp: NOW_S - 3600, nbf: NOW_S - 7200 }],
    ['a token not valid yet', { nbf: NOW_S + 3600, exp: NOW_S + 7200 }],
  ])('answers 401 to %s and queues nothing', async (_label, claims) => {
    const response = await acceptWebhook(bearer(await signToken(claims)), deps());
    expect(response.status).toBe(401);
    await expectNothingQueued();
  });

  it('answers 401 to an unsigned token (alg: none)', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      aud: `api://${CLIENT_ID}`,
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      azp: AZNS_WEBHOOK_APP_ID,
      roles: [SECURE_WEBHOOK_ROLE],
      exp: NOW_S + 3600,
    })}.`;
    expect((await acceptWebhook(bearer(unsigned), deps())).status).toBe(401);
    await expectNothingQueued();
  });

  it('answers 401 to a token whose kid is not in the JWKS', async () => {
    const token = await signToken({}, { key: strangerKey, kid: 'unknown-kid' });
    expect((await acceptWebhook(bearer(token), deps())).status).toBe(401);
    await expectNothingQueued();
  });

  it('answers 401 to a known kid signed by another key', async () => {
    const token = await signToken({}, { key: strangerKey, kid: 'key-1' });
    expect((await acceptWebhook(bearer(token), deps())).status).toBe(401);
    await expectNothingQueued();
  });

  it('answers 401 to an HS256 token (algorithm confusion)', async () => {
    const token = await new SignJWT({ aud: `api://${CLIENT_ID}`, roles: [SECURE_WEBHOOK_ROLE] })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
      .setExpirationTime(NOW_S + 3600)
      .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    expect((await acceptWebhook(bearer(token), deps())).status).toBe(401);
    await expectNothingQueued();
  });

  it('answers 401 to a bearer token when Entra is not configured', async () => {
    const response = await acceptWebhook(
      bearer(await signToken()),
      deps({ config: webhookConfig({ entra: null }) }),
    );
    expect(response.status).toBe(401);
    await expectNothingQueued();
  });
});

describe('acceptWebhook: Standard Webhooks signature on /api/webhook', () => {
  const body = Buffer.from(PAYLOAD.toString('utf8'));
  const signed = (headers: Record<string, string>, payload: Uint8Array = body): WebhookRequest => ({
    method: 'POST',
    path: '/api/webhook',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });

  it('accepts a valid signature', async () => {
    const signature = signStandardWebhook(WHSEC, 'msg_1', NOW_S, body);
    const response = await acceptWebhook(
      signed({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW_S), 'webhook-signature': signature }),
      deps(),
    );
    expect(response.status).toBe(202);
    expect((await inbox.listPending())[0]?.source).toBe('webhook');
  });

  it('accepts when any signature of a rotated list matches', async () => {
    const good = signStandardWebhook(WHSEC, 'msg_2', NOW_S, body);
    const stale = signStandardWebhook(
      `whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}`,
      'msg_2',
      NOW_S,
      body,
    );
    const response = await acceptWebhook(
      signed({
        'webhook-id': 'msg_2',
        'webhook-timestamp': String(NOW_S),
        'webhook-signature': `${stale} ${good}`,
      }),
      deps(),
    );
    expect(response.status).toBe(202);
  });

  it.each<[string, () => WebhookRequest]>([
    [
      'a bad signature',
      () => signed({ 'webhook-id': 'm', 'webhook-timestamp': String(NOW_S), 'webhook-signature': 'v1,AAAA' }),
    ],
    [
      'a timestamp 301 s in the past',
      () =>
        signed({
          'webhook-id': 'm',
          'webhook-timestamp': String(NOW_S - 301),
          'webhook-signature': signStandardWebhook(WHSEC, 'm', NOW_S - 301, body),
        }),
    ],
    [
      'a timestamp 301 s in the future',
      () =>
        signed({
          'webhook-id': 'm',
          'webhook-timestamp': String(NOW_S + 301),
          'webhook-signature': signStandardWebhook(WHSEC, 'm', NOW_S + 301, body),
        }),
    ],
    [
      'a re-serialised body',
      () =>
        signed(
          {
            'webhook-id': 'm',
            'webhook-timestamp': String(NOW_S),
            'webhook-signature': signStandardWebhook(WHSEC, 'm', NOW_S, body),
          },
          Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')))),
        ),
    ],
    ['no signature at all', () => signed({})],
  ])('answers 401 to %s and queues nothing', async (_label, make) => {
    expect((await acceptWebhook(make(), deps())).status).toBe(401);
    await expectNothingQueued();
  });
});

describe('acceptWebhook: bounds, parsing and durability', () => {
  it('answers 413 to a 10 MB body before reading it (declared length)', async () => {
    let read = false;
    async function* never(): AsyncGenerator<Uint8Array> {
      read = true;
      yield new Uint8Array(10);
    }
    const response = await acceptWebhook(
      request({
        token: TOKEN,
        headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
        body: never(),
      }),
      deps(),
    );
    expect(response.status).toBe(413);
    expect(read).toBe(false);
    await expectNothingQueued();
  });

  it('answers 413 to a 10 MB buffered body', async () => {
    const response = await acceptWebhook(
      request({
        token: TOKEN,
        headers: { 'content-type': 'application/json' },
        body: new Uint8Array(10 * 1024 * 1024),
      }),
      deps(),
    );
    expect(response.status).toBe(413);
    await expectNothingQueued();
  });

  it('answers 413 to a chunked body without Content-Length and stops reading at the limit', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let produced = 0;
    async function* chunked(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < 160; index++) {
        produced++;
        yield chunk;
      }
    }
    const response = await acceptWebhook(
      request({ token: TOKEN, headers: { 'content-type': 'application/json' }, body: chunked() }),
      deps(),
    );
    expect(response.status).toBe(413);
    // 1 MiB / 64 KiB = 16 chunks fit; the 17th crosses the limit and the read stops there.
    expect(produced).toBe(17);
    await expectNothingQueued();
  });

  it('accepts a chunked body under the limit', async () => {
    async function* chunked(): AsyncGenerator<Uint8Array> {
      yield PAYLOAD.subarray(0, 100);
      yield PAYLOAD.subarray(100);
    }
    const response = await acceptWebhook(
      request({ token: TOKEN, headers: { 'content-type': 'application/json' }, body: chunked() }),
      deps(),
    );
    expect(response.status).toBe(202);
    expect((await inbox.listPending())[0]?.body).toBe(PAYLOAD.toString('utf8'));
  });

  it('answers 400 to malformed JSON', async () => {
    const response = await acceptWebhook(request({ token: TOKEN, body: Buffer.from('{"data": ') }), deps());
    expect(response.status).toBe(400);
    await expectNothingQueued();
  });

  it('answers 405 to a GET and 404 to an unknown route', async () => {
    const get = await acceptWebhook(request({ token: TOKEN, method: 'GET' }), deps());
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await acceptWebhook(request({ token: TOKEN, path: '/api/other' }), deps())).status).toBe(404);
    await expectNothingQueued();
  });

  it('answers 503 with Retry-After when the store cannot make the entry durable', async () => {
    const healthy = createMemoryStore();
    const failing: StateStore = {
      ...healthy,
      kind: 'failing',
      put: async () => {
        throw new StoreUnavailableError('disk full');
      },
    };
    const failingInbox = createStoreInbox(failing);
    const response = await acceptWebhook(request({ token: TOKEN }), deps({ inbox: failingInbox }));
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).not.toContain('disk full');
    expect((await healthy.list('inbox')).items).toEqual([]);
  });

  it('answers 403 to a payload from a subscription outside the allowlist, 202 inside it', async () => {
    const outside = webhookConfig({ allowedSubscriptionIds: ['bbbb0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e'] });
    expect((await acceptWebhook(request({ token: TOKEN }), deps({ config: outside }))).status).toBe(403);
    await expectNothingQueued();
    const inside = webhookConfig({ allowedSubscriptionIds: [SUBSCRIPTION.toUpperCase()] });
    expect((await acceptWebhook(request({ token: TOKEN }), deps({ config: inside }))).status).toBe(202);
    expect(await inbox.countPending()).toBe(1);
  });

  it('answers 403 under an allowlist to a payload that names no subscription', async () => {
    const config = webhookConfig({ allowedSubscriptionIds: [SUBSCRIPTION] });
    const response = await acceptWebhook(
      request({ token: TOKEN, body: Buffer.from('{"hello":"world"}') }),
      deps({ config }),
    );
    expect(response.status).toBe(403);
    await expectNothingQueued();
  });
});

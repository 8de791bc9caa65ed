/**
 * serviceHealthWebhook with real @azure/functions HttpRequest and InvocationContext objects, the
 * Storage Queue inbox on Azurite and the whole app context: the action group's token → 202 only
 * once the message is on the queue; every refusal (wrong/1-byte/10 KB token, oversized declared or
 * streamed body, malformed JSON, queue down) enqueues nothing and never logs the token.
 */
import { readFileSync } from 'node:fs';
import { HttpRequest } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceHealthWebhook, toWebhookRequest } from '../../../functions/azure/service-health-webhook.ts';
import { decodeInboxMessage } from '../../../shared/inbox/queue-inbox-message.ts';
import { AZNS_WEBHOOK_APP_ID, SECURE_WEBHOOK_ROLE } from '../../../shared/webhook/entra-webhook-token.ts';
import { type AzureAppHarness, startAzureApp, WEBHOOK_TOKEN } from '../../helpers/azure-functions-app.ts';
import { type Loopback, startHttpServer } from '../../helpers/loopback-servers.ts';

const payload = readFileSync(
  new URL('../../fixtures/azure-activity-log-webhook/service-health-incident-active.json', import.meta.url),
);
const BASE = 'https://crosswatch-app.azurewebsites.net/api/service-health';

function post(query: string, body: Uint8Array | string, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: `${BASE}${query}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? { string: body } : { bytes: body },
  });
}

let app: AzureAppHarness;
beforeAll(async () => {
  app = await startAzureApp();
}, 90_000);
afterAll(() => app?.stop());
beforeEach(async () => {
  await QueueServiceClient.fromConnectionString(app.azurite.connectionString)
    .getQueueClient('crosswatch-inbox')
    .clearMessages()
    .catch(() => undefined);
  app.logs.length = 0;
  await app.configure();
});

describe('serviceHealthWebhook', () => {
  it('accepts a Service Health alert with the token: 202 after the entry is on the queue', async () => {
    const response = await serviceHealthWebhook(
      post(`?token=${WEBHOOK_TOKEN}`, payload, { 'content-length': String(payload.byteLength) }),
      app.context('serviceHealthWebhook'),
    );
    expect(response.status).toBe(202);
    const body = JSON.parse(String(response.body)) as { id: string };
    expect(body.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const queue = QueueServiceClient.fromConnectionString(app.azurite.connectionString).getQueueClient(
      'crosswatch-inbox',
    );
    const peeked = await queue.peekMessages({ numberOfMessages: 5 });
    expect(peeked.peekedMessageItems).toHaveLength(1);
    const entry = await decodeInboxMessage(peeked.peekedMessageItems[0]?.messageText);
    expect(entry).toMatchObject({ id: body.id, source: 'service-health', body: payload.toString('utf8') });
    expect(app.logs.map((line) => line.text).join('\n')).not.toContain(WEBHOOK_TOKEN);
  });

  it.each([
    ['missing', ''],
    ['wrong', `?token=${'x'.repeat(WEBHOOK_TOKEN.length)}`],
    ['1-byte', '?token=a'],
    ['10 KB', `?token=${'k'.repeat(10 * 1024)}`],
  ])('answers 401 to a %s token and enqueues nothing', async (_label, query) => {
    const response = await serviceHealthWebhook(post(query, payload), app.context('serviceHealthWebhook'));
    expect(response.status).toBe(401);
    expect(await app.queueDepth()).toBe(0);
  });

  it('answers 413 to a declared 10 MB body before reading it, and to a 300 KB body without Content-Length', async () => {
    const declared = await serviceHealthWebhook(
      post(`?token=${WEBHOOK_TOKEN}`, '{}', { 'content-length': String(10 * 1024 * 1024) }),
      app.context('serviceHealthWebhook'),
    );
    expect(declared.status).toBe(413);
    const streamed = await serviceHealthWebhook(
      post(`?token=${WEBHOOK_TOKEN}`, JSON.stringify({ pad: 'x'.repeat(300 * 1024) })),
      app.context('serviceHealthWebhook'),
    );
    expect(streamed.status).toBe(413);
    expect(await app.queueDepth()).toBe(0);
  });

  it('answers 400 to malformed JSON and 405 to GET', async () => {
    expect(
      (await serviceHealthWebhook(post(`?token=${WEBHOOK_TOKEN}`, '{"schemaId":'), app.context('w'))).status,
    ).toBe(400);
    const get = new HttpRequest({ method: 'GET', url: `${BASE}?token=${WEBHOOK_TOKEN}` });
    expect((await serviceHealthWebhook(get, app.context('w'))).status).toBe(405);
    expect(await app.queueDepth()).toBe(0);
  });

  it('answers 503 (retried by the action group) when the queue cannot take the entry, hiding the cause', async () => {
    await app.configure({
      env: {
        CROSSWATCH_STORAGE: app.azurite.connectionString.replace(
          /QueueEndpoint=http:\/\/127\.0\.0\.1:\d+/,
          'QueueEndpoint=http://127.0.0.1:1',
        ),
      },
    });
    const response = await serviceHealthWebhook(post(`?token=${WEBHOOK_TOKEN}`, payload), app.context('w'));
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '5' });
    expect(String(response.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|QueueEndpoint/);
    expect(await app.queueDepth()).toBe(0);
  });

  it('answers 503 when the app settings are invalid, without detail', async () => {
    await app.configure({ env: { CROSSWATCH_WEBHOOK_MAX_BODY_BYTES: 'lots' } });
    const response = await serviceHealthWebhook(post(`?token=${WEBHOOK_TOKEN}`, payload), app.context('w'));
    expect(response.status).toBe(503);
    expect(String(response.body)).not.toContain('CROSSWATCH');
  });
});

describe('serviceHealthWebhook with an Entra secure-webhook token (JWKS served on loopback)', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const CLIENT_ID = '0f4a2b1c-3d5e-4f60-8a7b-9c0d1e2f3a4b';
  let jwks: Loopback;
  let sign: (claims: Record<string, unknown>) => Promise<string>;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = await startHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    sign = (claims) =>
      new SignJWT({
        aud: `api://${CLIENT_ID}`,
        tid: TENANT,
        appid: AZNS_WEBHOOK_APP_ID,
        roles: [SECURE_WEBHOOK_ROLE],
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(`https://sts.windows.net/${TENANT}/`)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(pair.privateKey);
  });
  afterAll(() => jwks?.close());
  beforeEach(() =>
    app.configure({
      env: {
        CROSSWATCH_ENTRA_TENANT_ID: TENANT,
        CROSSWATCH_ENTRA_AUDIENCE: `api://${CLIENT_ID}`,
        CROSSWATCH_ENTRA_JWKS_URL: `${jwks.url}/keys`,
      },
    }),
  );

  it('accepts the action group service principal with the ActionGroupsSecureWebhook role', async () => {
    const token = await sign({});
    const response = await serviceHealthWebhook(
      post('', payload, { authorization: `Bearer ${token}` }),
      app.context('serviceHealthWebhook'),
    );
    expect(response.status).toBe(202);
    expect(await app.queueDepth()).toBe(1);
    expect(app.logs.map((line) => line.text).join('\n')).not.toContain(token);
  });

  it('refuses a token without the role, from another app, or unsigned (alg none), enqueueing nothing', async () => {
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ aud: `api://${CLIENT_ID}`, roles: [SECURE_WEBHOOK_ROLE], appid: AZNS_WEBHOOK_APP_ID }),
    ).toString('base64url')}.`;
    for (const token of [
      await sign({ roles: ['SomethingElse'] }),
      await sign({ appid: '00000000-0000-0000-0000-000000000001' }),
      unsigned,
    ]) {
      const response = await serviceHealthWebhook(
        post('', payload, { authorization: `Bearer ${token}` }),
        app.context('serviceHealthWebhook'),
      );
      expect(response.status).toBe(401);
    }
    expect(await app.queueDepth()).toBe(0);
  });
});

describe('toWebhookRequest', () => {
  it('keeps path, query, lower-case headers and a streaming body', async () => {
    const request = toWebhookRequest(
      new HttpRequest({
        method: 'POST',
        url: `${BASE}?token=abc&x=1`,
        headers: { 'X-Custom': 'Value' },
        body: { string: 'hello' },
      }),
    );
    expect(request.path).toBe('/api/service-health');
    expect(request.query.get('token')).toBe('abc');
    expect(request.headers['x-custom']).toBe('Value');
    const chunks: Uint8Array[] = [];
    if (request.body instanceof Uint8Array) chunks.push(request.body);
    else for await (const chunk of request.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('hello');
  });
});

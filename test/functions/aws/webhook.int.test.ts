/**
 * The Lambda webhook with saved Function URL and API Gateway HTTP API (v2) events, the SQS inbox on
 * moto's server mode and the DynamoDB store on dynalite: 202 only once the message is on the queue;
 * wrong token / bad signature → 401, oversized → 413, queue failure → 503, nothing enqueued on any
 * refusal, and no secret in the logs.
 */

import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler, toWebhookRequest } from '../../../functions/aws/webhook.ts';
import { decodeInboxMessage } from '../../../shared/inbox/queue-inbox-message.ts';
import {
  LAMBDA_WEBHOOK_SECRET,
  LAMBDA_WEBHOOK_TOKEN,
  type LambdaHarness,
  loadLambdaFixture,
  startLambdaApp,
} from '../../helpers/lambda-app.ts';

const functionUrl = loadLambdaFixture<APIGatewayProxyEventV2>('function-url-service-health.json');
const apiGateway = loadLambdaFixture<APIGatewayProxyEventV2>('api-gateway-v2-webhook.json');
const SIGNED_AT = new Date('2026-11-29T12:00:30Z');

let app: LambdaHarness;
beforeAll(async () => {
  app = await startLambdaApp();
}, 90_000);
afterAll(() => app?.stop());
beforeEach(async () => {
  await app.purgeQueue();
  app.lines.length = 0;
  await app.configure({ now: () => SIGNED_AT });
});

describe('webhook handler', () => {
  it('accepts the Function URL Service Health event with its token: 202 after SendMessage', async () => {
    const result = await handler(functionUrl, app.context('webhook'));
    expect(result.statusCode).toBe(202);
    const { id } = JSON.parse(result.body ?? '{}') as { id: string };
    const sqs = new SQSClient({
      endpoint: app.moto.endpoint,
      region: app.moto.region,
      credentials: app.moto.credentials,
    });
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: app.queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages).toHaveLength(1);
    const entry = await decodeInboxMessage(received.Messages?.[0]?.Body);
    expect(entry).toMatchObject({ id, source: 'service-health', body: functionUrl.body });
    expect(app.lines.join('')).not.toContain(LAMBDA_WEBHOOK_TOKEN);
  });

  it('accepts the API Gateway v2 event: stage prefix removed, base64 body, Standard Webhooks signature', async () => {
    const request = toWebhookRequest(apiGateway);
    expect(request.path).toBe('/api/webhook');
    expect(Buffer.from(request.body as Uint8Array).toString('utf8')).toBe(
      Buffer.from(apiGateway.body ?? '', 'base64').toString('utf8'),
    );
    const result = await handler(apiGateway, app.context('webhook'));
    expect(result.statusCode).toBe(202);
    expect(await app.queueDepth()).toBe(1);
  });

  it.each([
    ['missing', ''],
    ['wrong', `token=${'x'.repeat(LAMBDA_WEBHOOK_TOKEN.length)}`],
    ['1-byte', 'token=a'],
    ['10 KB', `token=${'k'.repeat(10 * 1024)}`],
  ])('answers 401 to a %s token and enqueues nothing', async (_label, rawQueryString) => {
    const result = await handler({ ...functionUrl, rawQueryString }, app.context('webhook'));
    expect(result.statusCode).toBe(401);
    expect(await app.queueDepth()).toBe(0);
  });

  it('answers 401 to a tampered or stale Standard Webhooks signature', async () => {
    const reserialized = Buffer.from(
      JSON.stringify(JSON.parse(Buffer.from(apiGateway.body ?? '', 'base64').toString('utf8'))),
    ).toString('base64');
    expect((await handler({ ...apiGateway, body: reserialized }, app.context('webhook'))).statusCode).toBe(
      401,
    );
    await app.configure({ now: () => new Date(SIGNED_AT.getTime() + 301_000) });
    expect((await handler(apiGateway, app.context('webhook'))).statusCode).toBe(401);
    expect(await app.queueDepth()).toBe(0);
    expect(app.lines.join('')).not.toContain(LAMBDA_WEBHOOK_SECRET.slice(6));
  });

  it('answers 413 to a declared 10 MB body and to an oversized base64 body without Content-Length', async () => {
    const declared = {
      ...functionUrl,
      headers: { ...functionUrl.headers, 'content-length': String(10 * 1024 * 1024) },
    };
    expect((await handler(declared, app.context('webhook'))).statusCode).toBe(413);
    const { 'content-length': _dropped, ...headers } = functionUrl.headers;
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(300 * 1024) })).toString('base64');
    expect(
      (await handler({ ...functionUrl, headers, body: big, isBase64Encoded: true }, app.context('webhook')))
        .statusCode,
    ).toBe(413);
    expect(await app.queueDepth()).toBe(0);
  });

  it('answers 503 when SQS cannot take the entry, hiding the cause', async () => {
    await app.configure({
      now: () => SIGNED_AT,
      env: { CROSSWATCH_INBOX_QUEUE_URL: `${app.moto.endpoint}/123456789012/missing` },
    });
    const result = await handler(functionUrl, app.context('webhook'));
    expect(result.statusCode).toBe(503);
    expect(result.body).not.toMatch(/NonExistentQueue|missing|127\.0\.0\.1/);
    expect(await app.queueDepth()).toBe(0);
  });

  it('resolves the webhook token from Secrets Manager (NAME_SECRET_REF) before loading the configuration', async () => {
    const { CreateSecretCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const secrets = new SecretsManagerClient({
      endpoint: app.moto.endpoint,
      region: app.moto.region,
      credentials: app.moto.credentials,
    });
    await secrets.send(
      new CreateSecretCommand({
        Name: 'crosswatch/webhook',
        SecretString: '{"tokens":"rotated-token-abcdefghijklmnop"}',
      }),
    );
    await app.configure({
      now: () => SIGNED_AT,
      env: {
        CROSSWATCH_WEBHOOK_TOKENS: '',
        CROSSWATCH_WEBHOOK_TOKENS_SECRET_REF: 'secretsmanager:crosswatch/webhook#tokens',
      },
    });
    expect((await handler(functionUrl, app.context('webhook'))).statusCode).toBe(401);
    const rotated = await handler(
      { ...functionUrl, rawQueryString: 'token=rotated-token-abcdefghijklmnop' },
      app.context('webhook'),
    );
    expect(rotated.statusCode).toBe(202);
  });
  it('publishes its status document at GET /api/status to a caller with a webhook token (the peers watch it)', async () => {
    await app.configure({ now: () => SIGNED_AT });
    const get = (rawQueryString: string) => ({
      ...functionUrl,
      rawPath: '/api/status',
      rawQueryString,
      body: undefined,
      requestContext: {
        ...functionUrl.requestContext,
        http: { ...functionUrl.requestContext.http, method: 'GET' },
      },
    });
    expect((await handler(get(''), app.context('webhook'))).statusCode).toBe(401);
    expect((await handler(get('token=wrong-token-0123456789'), app.context('webhook'))).statusCode).toBe(401);
    const answered = await handler(get(`token=${LAMBDA_WEBHOOK_TOKEN}`), app.context('webhook'));
    expect(answered.statusCode).toBe(200);
    const document = JSON.parse(String(answered.body));
    expect(document).toMatchObject({
      deploymentId: expect.any(String),
      heartbeat: { lastHeartbeatAt: null },
    });
    expect(document.peers).toEqual([]);
    expect(await app.queueDepth()).toBe(0);
  });

  it('reads its mesh peers, secrets included, from Secrets Manager (CROSSWATCH_PEERS_SECRET_REF)', async () => {
    const { CreateSecretCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const secrets = new SecretsManagerClient({
      endpoint: app.moto.endpoint,
      region: app.moto.region,
      credentials: app.moto.credentials,
    });
    const peerSecret = `whsec_${Buffer.from('azure-and-aws-share-this-secret!').toString('base64')}`;
    await secrets.send(
      new CreateSecretCommand({
        Name: 'crosswatch/peers',
        SecretString: JSON.stringify([
          { id: 'azure-westeurope', url: 'https://x.azurewebsites.net/api/mesh', secret: peerSecret },
        ]),
      }),
    );
    await app.configure({
      now: () => SIGNED_AT,
      env: { CROSSWATCH_PEERS_SECRET_REF: 'secretsmanager:crosswatch/peers' },
    });
    const get = {
      ...functionUrl,
      rawPath: '/api/status',
      rawQueryString: `token=${LAMBDA_WEBHOOK_TOKEN}`,
      body: undefined,
      requestContext: {
        ...functionUrl.requestContext,
        http: { ...functionUrl.requestContext.http, method: 'GET' },
      },
    };
    const document = JSON.parse(String((await handler(get, app.context('webhook'))).body));
    expect(document.peers).toEqual([{ id: 'azure-westeurope', lastHeartbeatAt: null, stale: false }]);
    expect(app.lines.join('')).not.toContain(peerSecret.slice(6));
  });
});

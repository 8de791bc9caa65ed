/**
 * The signed webhook sink against loopback servers. Loopback is refused by the SSRF guard by
 * default, so the happy paths set `allowPrivate` and `allowInsecure`; the guard tests show every
 * refused destination is refused before any connection, including through DNS and redirects.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookSinkConfig } from '../../../../shared/notify/sink-config.ts';
import { createWebhookSink } from '../../../../shared/notify/sinks/webhook-sink.ts';
import type { LookupFunction } from '../../../../shared/notify/ssrf-guard.ts';
import { signStandardWebhook } from '../../../../shared/util/standard-webhook-signature.ts';
import {
  buildContext,
  buildMessage,
  type RecordingServer,
  startRecordingServer,
} from '../../../helpers/notify-messages.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const NOW = new Date('2026-02-02T19:20:00.000Z');
const PRIVATE_HINT = ' (set allowPrivate to allow a private destination)';

const servers: RecordingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(reply: Parameters<typeof startRecordingServer>[0]) {
  const server = await startRecordingServer(reply);
  servers.push(server);
  return server;
}

function sinkFor(url: string, overrides: Partial<WebhookSinkConfig> = {}, lookup?: LookupFunction) {
  return createWebhookSink(
    { kind: 'webhook', name: 'hook', url, secret: SECRET, ...overrides },
    { now: () => NOW, ...(lookup ? { lookup } : {}) },
  );
}

describe('webhook sink', () => {
  it('signs per Standard Webhooks and delivers on 2xx', async () => {
    const server = await startServer(() => ({ status: 204 }));
    const sink = sinkFor(`${server.url}/hooks/crosswatch?x=1`, { allowInsecure: true, allowPrivate: true });
    const result = await sink.send(
      buildMessage(),
      buildContext({ deliveryId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' }),
    );
    expect(result).toMatchObject({ outcome: 'delivered', status: 204 });
    const request = server.requests[0];
    expect(request?.url).toBe('/hooks/crosswatch?x=1');
    expect(request?.headers['webhook-id']).toBe('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W');
    expect(request?.headers['webhook-timestamp']).toBe(String(NOW.getTime() / 1000));
    // Verify the way a receiver does: HMAC-SHA256 over "id.timestamp.body" with the base64-decoded key.
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`${request?.headers['webhook-id']}.${request?.headers['webhook-timestamp']}.${request?.body}`)
      .digest('base64');
    expect(request?.headers['webhook-signature']).toBe(`v1,${expected}`);
    const body = JSON.parse(request?.body ?? '{}');
    expect(body).toMatchObject({
      type: 'io.crosswatch.notification',
      version: 1,
      deliveryId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    });
    expect(body.message.headline).toContain('Azure control plane');
  });

  it('matches the Standard Webhooks reference signature', () => {
    // The example of the Standard Webhooks reference implementations' test suite.
    expect(
      signStandardWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('classifies statuses like the other HTTP sinks', async () => {
    const statuses = [410, 500, 429];
    const server = await startServer((_r, index) => ({
      status: statuses[index] ?? 200,
      headers: { 'retry-after': '9' },
    }));
    const sink = sinkFor(server.url, { allowInsecure: true, allowPrivate: true });
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'permanent',
      status: 410,
    });
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'transient',
      status: 500,
    });
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'retry-after',
      retryAfterMs: 9_000,
    });
  });

  it('is aborted by the signal when the receiver hangs', async () => {
    const server = await startServer(() => ({ status: 200, hang: true }));
    const sink = sinkFor(server.url, { allowInsecure: true, allowPrivate: true });
    const controller = new AbortController();
    const pending = sink.send(buildMessage(), buildContext({ signal: controller.signal }));
    await expect.poll(() => server.requests.length, { timeout: 15_000 }).toBe(1);
    controller.abort();
    expect(await pending).toMatchObject({ outcome: 'transient', status: null });
  });

  it('refuses http:// unless allowInsecure', async () => {
    const server = await startServer(() => ({ status: 200 }));
    const result = await sinkFor(server.url, { allowPrivate: true }).send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'permanent', status: null });
    expect(result.detail).toContain('not https');
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['http://127.0.0.1:9/hook', `loopback address 127.0.0.1${PRIVATE_HINT}`],
    ['http://10.0.0.1/hook', `private address 10.0.0.1${PRIVATE_HINT}`],
    ['http://169.254.169.254/latest/meta-data/', 'metadata address 169.254.169.254'],
    ['http://[::ffff:169.254.169.254]/latest', 'metadata address ::ffff:a9fe:a9fe'],
    ['http://[::1]:9/hook', `loopback address ::1${PRIVATE_HINT}`],
    ['https://[fd00:ec2::254]/', 'metadata address fd00:ec2::254'],
  ])('refuses %s by default', async (url, reason) => {
    const result = await sinkFor(url, { allowInsecure: true }).send(buildMessage(), buildContext());
    expect(result).toEqual({ outcome: 'permanent', status: null, detail: `refused: ${reason}` });
  });

  it('refuses metadata addresses even with allowPrivate', async () => {
    const result = await sinkFor('http://169.254.169.254/', { allowInsecure: true, allowPrivate: true }).send(
      buildMessage(),
      buildContext(),
    );
    expect(result).toMatchObject({
      outcome: 'permanent',
      detail: 'refused: metadata address 169.254.169.254',
    });
  });

  it.each([
    ['127.0.0.1', 'loopback', PRIVATE_HINT],
    ['10.0.0.1', 'private', PRIVATE_HINT],
    ['169.254.169.254', 'metadata', ''],
    ['::ffff:169.254.169.254', 'metadata', ''],
  ])('refuses a host name that resolves to %s (checked after DNS)', async (address, kind, hint) => {
    const lookup: LookupFunction = async () => [{ address, family: address.includes(':') ? 6 : 4 }];
    const result = await sinkFor('https://hooks.example.com/x', {}, lookup).send(
      buildMessage(),
      buildContext(),
    );
    expect(result).toMatchObject({ outcome: 'permanent', status: null });
    expect(result.detail).toBe(`refused: hooks.example.com resolves to ${kind} address ${address}${hint}`);
  });

  it('connects to the address it checked (pinned), keeping the Host header, with one lookup', async () => {
    const server = await startServer(() => ({ status: 200 }));
    const port = new URL(server.url).port;
    const names: string[] = [];
    const lookup: LookupFunction = async (name) => {
      names.push(name);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const sink = sinkFor(
      `http://receiver.example.test:${port}/in`,
      { allowInsecure: true, allowPrivate: true },
      lookup,
    );
    expect(await sink.send(buildMessage(), buildContext())).toMatchObject({
      outcome: 'delivered',
      status: 200,
    });
    expect(names).toEqual(['receiver.example.test']);
    expect(server.requests[0]?.headers.host).toBe(`receiver.example.test:${port}`);
  });

  it.each(['http://169.254.169.254/latest/meta-data/iam/', 'http://10.0.0.1/admin', 'http://127.0.0.1:1/'])(
    'does not follow a 302 redirect to %s (a 3xx is permanent)',
    async (location) => {
      const target = await startServer(() => ({ status: 200 }));
      const redirector = await startServer(() => ({ status: 302, headers: { location } }));
      const sink = sinkFor(redirector.url, { allowInsecure: true, allowPrivate: true });
      const result = await sink.send(buildMessage(), buildContext());
      expect(result).toMatchObject({ outcome: 'permanent', status: 302 });
      expect(result.detail).toContain('redirect not followed');
      expect(redirector.requests).toHaveLength(1);
      expect(target.requests).toHaveLength(0);
    },
  );

  it('treats a DNS failure as transient', async () => {
    const lookup: LookupFunction = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND hooks.example.com'), { code: 'ENOTFOUND' });
    };
    const result = await sinkFor('https://hooks.example.com/x', {}, lookup).send(
      buildMessage(),
      buildContext(),
    );
    expect(result).toMatchObject({ outcome: 'transient', status: null });
    expect(result.detail).toContain('cannot resolve hooks.example.com');
  });
});

/**
 * Secrets never leak (reliability §7 #23, Alertmanager's AssertNotifyLeaksNoSecret): every sink is
 * configured with a sentinel in its URL, key, token or password and driven through 4xx and 5xx
 * answers that echo the whole request back, a hang, a refused connection and a DNS failure. The
 * sentinel must appear in no SendResult, no thrown error and no logger call.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSink } from '../../../shared/notify/create-sink.ts';
import type { SendResult } from '../../../shared/notify/sink.ts';
import type { SinkConfig } from '../../../shared/notify/sink-config.ts';
import { findClosedPort } from '../../helpers/loopback-servers.ts';
import {
  buildContext,
  buildMessage,
  type RecordingServer,
  startRecordingServer,
} from '../../helpers/notify-messages.ts';

const SENTINEL = 'SENTINEL-SECRET-9f3a';
const WEBHOOK_SECRET = `whsec_${Buffer.from(`${SENTINEL}-0123456789abcdef`).toString('base64')}`;
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SENTINEL };

type Mode = 'echo-4xx' | 'echo-5xx' | 'hang';

let mode: Mode = 'echo-4xx';
let http: RecordingServer;
let smtp: SMTPServer;
let smtpPort: number;
let closedPort: number;

beforeAll(async () => {
  // Echoes the request line, headers and body back, as a misbehaving receiver or proxy might.
  http = await startRecordingServer((request) => {
    const echo = `${request.method} ${request.url} ${JSON.stringify(request.headers)} ${request.body}`;
    if (mode === 'hang') return { status: 200, hang: true };
    return {
      status: mode === 'echo-4xx' ? 403 : 500,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' },
      body:
        request.url.startsWith('/?') || request.body.startsWith('Action=')
          ? `<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>${echo.replace(/[<>&]/g, ' ')}</Message></Error><RequestId>r</RequestId></ErrorResponse>`
          : JSON.stringify({ message: echo, error: echo }),
    };
  });
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      // Echoes the credentials in its rejection.
      callback(Object.assign(new Error(`rejected ${auth.username}:${auth.password}`), { responseCode: 535 }));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  closedPort = await findClosedPort();
});

afterAll(async () => {
  await http.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

function configs(base: string, smtpHost: { host: string; port: number }): SinkConfig[] {
  return [
    {
      kind: 'slack',
      name: 'slack',
      url: `${base}/services/T000/${SENTINEL}`,
      allowInsecure: true,
      allowPrivate: true,
    },
    {
      kind: 'teams',
      name: 'teams',
      url: `${base}/workflows/x/invoke?api-version=1&sig=${SENTINEL}`,
      allowInsecure: true,
      allowPrivate: true,
    },
    {
      kind: 'pagerduty',
      name: 'pd',
      routingKey: SENTINEL,
      url: `${base}/v2/enqueue`,
      allowInsecure: true,
      allowPrivate: true,
    },
    {
      kind: 'opsgenie',
      name: 'og',
      apiKey: SENTINEL,
      region: 'us',
      url: base,
      allowInsecure: true,
      allowPrivate: true,
    },
    {
      kind: 'webhook',
      name: 'hook',
      url: `${base}/in/${SENTINEL}?token=${SENTINEL}`,
      secret: WEBHOOK_SECRET,
      allowInsecure: true,
      allowPrivate: true,
    },
    {
      kind: 'email',
      name: 'mail',
      smtp: { ...smtpHost, secure: false, user: 'mailer', pass: SENTINEL },
      from: 'a@example.com',
      to: ['b@example.com'],
      allowPrivate: true,
    },
    {
      kind: 'ses',
      name: 'ses',
      region: 'eu-west-1',
      from: 'a@example.com',
      to: ['b@example.com'],
      endpoint: base,
    },
    {
      kind: 'sns',
      name: 'sns',
      region: 'us-east-1',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      endpoint: base,
    },
  ];
}

async function runAll(base: string, smtpHost: { host: string; port: number }, abortAfterMs: number | null) {
  const logged: unknown[] = [];
  const results: { name: string; result: SendResult }[] = [];
  for (const config of configs(base, smtpHost)) {
    const sink = createSink(config, {
      awsCredentials: CREDENTIALS,
      logger: { info: (message, fields) => logged.push([message, fields]) },
      lookup: async (name) => {
        if (name.endsWith('.invalid'))
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const controller = new AbortController();
    const timer = abortAfterMs === null ? undefined : setTimeout(() => controller.abort(), abortAfterMs);
    try {
      const result = await sink.send(buildMessage(), buildContext({ signal: controller.signal }));
      results.push({ name: config.name, result });
    } catch (error) {
      results.push({
        name: config.name,
        result: {
          outcome: 'permanent',
          status: null,
          detail: `THREW ${String(error)} ${(error as Error).stack}`,
        },
      });
    } finally {
      clearTimeout(timer);
    }
  }
  return { logged, results };
}

function expectNoSecret(run: { logged: unknown[]; results: { name: string; result: SendResult }[] }) {
  const text = JSON.stringify(run);
  expect(text).not.toContain(SENTINEL);
  expect(text).not.toContain(WEBHOOK_SECRET);
  expect(text).not.toContain(encodeURIComponent(SENTINEL));
  for (const { result } of run.results) {
    expect(result.outcome).not.toBe('delivered');
    expect(result.detail).not.toContain('THREW');
  }
  expect(run.logged).toHaveLength(run.results.length);
}

describe('no sink leaks a secret', () => {
  it('through 4xx answers that echo the request', async () => {
    mode = 'echo-4xx';
    const run = await runAll(http.url, { host: '127.0.0.1', port: smtpPort }, null);
    expectNoSecret(run);
    // The echo did reach the sinks: the details carry the (redacted) server text.
    expect(run.results.find((r) => r.name === 'slack')?.result.detail).toContain('[redacted]');
    expect(run.results.find((r) => r.name === 'mail')?.result).toMatchObject({ outcome: 'permanent' });
  });

  it('through 5xx answers that echo the request', async () => {
    mode = 'echo-5xx';
    const run = await runAll(http.url, { host: '127.0.0.1', port: smtpPort }, null);
    expectNoSecret(run);
    expect(run.results.filter((r) => r.name !== 'mail').every((r) => r.result.outcome === 'transient')).toBe(
      true,
    );
  });

  it('through a hang aborted by the signal', async () => {
    mode = 'hang';
    const run = await runAll(http.url, { host: '127.0.0.1', port: smtpPort }, 200);
    expectNoSecret(run);
  });

  it('through a refused connection', async () => {
    const run = await runAll(`http://127.0.0.1:${closedPort}`, { host: '127.0.0.1', port: closedPort }, null);
    expectNoSecret(run);
    expect(run.results.every((r) => r.result.outcome === 'transient')).toBe(true);
  });

  it('through a DNS failure', async () => {
    const run = await runAll(
      'http://sentinel-host.invalid',
      { host: 'sentinel-host.invalid', port: 25 },
      null,
    );
    expectNoSecret(run);
    expect(run.results.every((r) => r.result.outcome === 'transient')).toBe(true);
  });
});

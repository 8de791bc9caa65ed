/** The SMTP email sink against a real `smtp-server` on 127.0.0.1. */
import { type AddressInfo, createServer } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmailSinkConfig } from '../../../../shared/notify/sink-config.ts';
import { createEmailSink } from '../../../../shared/notify/sinks/email-sink.ts';
import { findClosedPort } from '../../../helpers/loopback-servers.ts';
import { buildContext, buildMessage } from '../../../helpers/notify-messages.ts';

interface Received {
  from: string;
  to: string[];
  data: string;
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function startSmtp(
  options: Partial<SMTPServerOptions> = {},
): Promise<{ port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { port, received };
}

function config(port: number, smtp: Partial<EmailSinkConfig['smtp']> = {}): EmailSinkConfig {
  return {
    kind: 'email',
    name: 'mail',
    smtp: { host: '127.0.0.1', port, secure: false, ...smtp },
    from: 'crosswatch <alerts@example.com>',
    to: ['oncall@example.com', 'noc@example.com'],
    allowPrivate: true,
  };
}

describe('email sink (SMTP)', () => {
  it('delivers one message to every recipient with subject, text, HTML and a Message-ID from the deliveryId', async () => {
    const { port, received } = await startSmtp({
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 'pa55') callback(null, { user: 'mailer' });
        else callback(new Error('Invalid username or password'));
      },
    });
    const sink = createEmailSink(config(port, { user: 'mailer', pass: 'pa55' }));
    const result = await sink.send(buildMessage(), buildContext({ deliveryId: 'd-42' }));
    expect(result).toMatchObject({ outcome: 'delivered', status: 250, receipt: '<d-42@crosswatch.invalid>' });
    expect(result.detail).toContain('2 of 2 recipients');
    expect(received).toHaveLength(1);
    expect(received[0]?.from).toBe('alerts@example.com');
    expect(received[0]?.to).toEqual(['oncall@example.com', 'noc@example.com']);
    const data = received[0]?.data ?? '';
    expect(data).toContain('Subject: [crosswatch] [OPEN] Azure Resource Manager (control plane)');
    expect(data).toContain('Message-ID: <d-42@crosswatch.invalid>');
    expect(data).toContain('X-Crosswatch-Incident: probe:control-arm');
    expect(data).toContain('text/html');
    expect(data).toContain('Azure control plane failing from 3 of 3 vantages');
  });

  it('classifies a 5xx recipient rejection as permanent', async () => {
    const { port } = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      },
    });
    const result = await createEmailSink(config(port)).send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'permanent' });
    expect(result.detail).toContain('550');
  });

  it('classifies a 4xx (try again later) as transient', async () => {
    const { port } = await startSmtp({
      onMailFrom(_address, _session, callback) {
        callback(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 }));
      },
    });
    const result = await createEmailSink(config(port)).send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'transient', status: 451 });
  });

  it('classifies an authentication failure as permanent', async () => {
    const { port } = await startSmtp({
      authOptional: false,
      onAuth(_auth, _session, callback) {
        callback(new Error('Invalid username or password'));
      },
    });
    const result = await createEmailSink(config(port, { user: 'mailer', pass: 'wrong' })).send(
      buildMessage(),
      buildContext(),
    );
    expect(result).toMatchObject({ outcome: 'permanent' });
    expect(result.detail).not.toContain('wrong');
  });

  it('classifies a refused connection as transient', async () => {
    const port = await findClosedPort();
    const result = await createEmailSink(config(port)).send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'transient', status: null });
    expect(result.detail).toMatch(/ECONNREFUSED|ECONNECTION/);
  });

  it('ends the attempt when the signal aborts while the server never greets', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const sockets = new Set<import('node:net').Socket>();
    silent.on('connection', (socket) => sockets.add(socket));
    close = () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        silent.close(() => resolve());
      });
    const controller = new AbortController();
    const pending = createEmailSink(config((silent.address() as AddressInfo).port)).send(
      buildMessage(),
      buildContext({ signal: controller.signal }),
    );
    await expect.poll(() => sockets.size, { timeout: 15_000 }).toBe(1);
    controller.abort();
    expect(await pending).toMatchObject({ outcome: 'transient', detail: expect.stringContaining('aborted') });
  });
});

import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { probeSmtp } from '../../../shared/probe/smtp.ts';
import { type Loopback, startLineServer, startSilentServer } from '../../helpers/loopback-servers.ts';
import { createProbeContext, makeTarget } from '../../helpers/probe-context.ts';
import { createTestCa, type TestCa } from '../../helpers/test-ca.ts';

const closers: (() => Promise<void>)[] = [];
let ca: TestCa;
const mailCommands: string[] = [];

beforeAll(async () => {
  ca = await createTestCa();
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

async function startSmtpServer(leaf: { cert: string; key: string }): Promise<number> {
  const server = new SMTPServer({
    secure: false,
    key: leaf.key,
    cert: leaf.cert,
    authOptional: true,
    logger: false,
    banner: 'loopback ESMTP ready',
    onMailFrom(_address, _session, callback) {
      mailCommands.push('MAIL');
      callback();
    },
    onRcptTo(_address, _session, callback) {
      mailCommands.push('RCPT');
      callback();
    },
    onData(_stream, _session, callback) {
      mailCommands.push('DATA');
      callback();
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const target = (port: number, extra: Record<string, unknown> = {}) =>
  makeTarget({ kind: 'smtp', plane: 'mail', host: '127.0.0.1', port, servername: 'localhost', ...extra });

async function lineServer(
  banner: string,
  options: Parameters<typeof startLineServer>[1] = {},
): Promise<Loopback> {
  const server = await startLineServer(banner, options);
  closers.push(() => server.close());
  return server;
}

describe('smtp probe on loopback', () => {
  it('reads the 220 banner, negotiates STARTTLS, says EHLO twice and never sends mail', async () => {
    const port = await startSmtpServer(await ca.issue({ validToDays: 120 }));
    const report = await probeSmtp(target(port), createProbeContext({ ca: ca.cert }));
    expect(report.outcome).toBe('up');
    expect(report.error).toBeNull();
    expect(report.observations).toMatchObject({ bannerCode: 220, startTlsOffered: true, authorized: true });
    expect(String(report.observations.banner)).toContain('loopback ESMTP ready');
    expect(String(report.observations.tlsProtocol)).toMatch(/^TLSv1\.[23]$/);
    const { connectMs, firstByteMs, tlsMs, totalMs } = report.phases;
    expect(firstByteMs).toBeGreaterThanOrEqual(connectMs ?? 0);
    expect(tlsMs).toBeGreaterThanOrEqual(firstByteMs ?? 0);
    expect(totalMs).toBeGreaterThanOrEqual(tlsMs ?? 0);
    expect(mailCommands).toEqual([]);
  });

  it('reports an expired certificate offered through STARTTLS', async () => {
    const port = await startSmtpServer(await ca.issue({ validFromDays: -90, validToDays: -1 }));
    const report = await probeSmtp(target(port), createProbeContext({ ca: ca.cert }));
    expect(report).toMatchObject({
      outcome: 'down',
      error: 'TLS_EXPIRED',
      observations: { startTlsOffered: true },
    });
  });

  it('keeps 421 and 451 banners as SMTP_421 and SMTP_451', async () => {
    const busy = await lineServer('421 4.3.2 Service not available, closing channel\r\n', {
      closeAfterBanner: true,
    });
    expect(await probeSmtp(target(busy.port), createProbeContext())).toMatchObject({
      outcome: 'down',
      error: 'SMTP_421',
      observations: { bannerCode: 421 },
    });
    const deferred = await lineServer('451 4.7.500 Server busy. Please try again later\r\n', {
      closeAfterBanner: true,
    });
    const report = await probeSmtp(target(deferred.port), createProbeContext());
    expect(report).toMatchObject({ outcome: 'down', error: 'SMTP_451' });
    expect(report.errorDetail).toContain('4.7.500');
  });

  it('keeps a rejected EHLO as its reply code', async () => {
    const rejecting = await lineServer('220 ready\r\n', { reply: '554 5.7.1 go away' });
    expect(await probeSmtp(target(rejecting.port), createProbeContext())).toMatchObject({
      outcome: 'down',
      error: 'SMTP_554',
    });
  });

  it('is degraded when STARTTLS is not offered, and sends only EHLO and QUIT', async () => {
    const lines: string[] = [];
    const plain = await lineServer('220 plain ESMTP\r\n', { lines });
    const report = await probeSmtp(
      target(plain.port, { ehloName: 'probe.crosswatch.test' }),
      createProbeContext(),
    );
    expect(report).toMatchObject({
      outcome: 'degraded',
      error: 'SMTP_NO_STARTTLS',
      observations: { startTlsOffered: false },
    });
    await vi.waitFor(() => expect(lines).toEqual(['EHLO probe.crosswatch.test', 'QUIT']));
    const optional = await probeSmtp(
      target(plain.port, { expect: { startTls: false } }),
      createProbeContext(),
    );
    expect(optional.outcome).toBe('up');
  });

  it('times out on a server that never sends a banner', async () => {
    const silent = await startSilentServer();
    closers.push(() => silent.close());
    const report = await probeSmtp(target(silent.port), createProbeContext({ timeoutMs: 300 }));
    expect(report).toMatchObject({ outcome: 'down', error: 'SMTP_TIMEOUT', aborted: true });
  });

  it('reports a malformed reply as SMTP_PROTOCOL', async () => {
    const http = await lineServer('HTTP/1.1 400 Bad Request\r\n', { closeAfterBanner: true });
    expect(await probeSmtp(target(http.port), createProbeContext())).toMatchObject({
      outcome: 'down',
      error: 'SMTP_PROTOCOL',
    });
  });
});

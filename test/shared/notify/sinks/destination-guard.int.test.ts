/**
 * One SSRF guard for every sink that takes a URL or host (Slack, Teams, PagerDuty's and Opsgenie's
 * URL overrides, the signed webhook, SMTP email, mesh peers): a loopback destination is refused as
 * `permanent` before any connection — the loopback server counts connections and sees none — and
 * `allowPrivate: true` connects. Metadata addresses and host names are refused even then, and
 * other spellings of loopback (0x7f.1, 2130706433, ::ffff:7f00:1, 0177.0.0.1, localhost) too.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPeerSink } from '../../../../shared/mesh/peer-sink.ts';
import { createSink } from '../../../../shared/notify/create-sink.ts';
import type { PayloadMessage, SendResult } from '../../../../shared/notify/sink.ts';
import type { SinkConfig } from '../../../../shared/notify/sink-config.ts';
import type { LookupFunction } from '../../../../shared/notify/ssrf-guard.ts';
import { buildContext, buildMessage } from '../../../helpers/notify-messages.ts';
import { createTestCa } from '../../../helpers/test-ca.ts';

const WEBHOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const NOW = new Date('2026-02-02T19:20:00.000Z');
const PRIVATE_HINT = ' (set allowPrivate to allow a private destination)';

let http: Server;
let port: number;
let connections = 0;
const hosts: (string | undefined)[] = [];
const sockets = new Set<Socket>();

let smtp: SMTPServer;
let smtpPort: number;
let smtpConnections = 0;

beforeAll(async () => {
  http = createServer((request, response) => {
    hosts.push(request.headers.host);
    request.resume();
    request.on('end', () => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end('{"status":"success","result":"Request will be processed"}');
    });
  });
  http.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect(_session, callback) {
      smtpConnections += 1;
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => http.close(() => resolve()));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

beforeEach(() => {
  connections = 0;
  smtpConnections = 0;
  hosts.length = 0;
});

/** Every HTTP sink kind, pointed at `base` (scheme, host and port). */
function httpConfigs(base: string, allowPrivate: boolean): SinkConfig[] {
  const flags = { allowInsecure: true, ...(allowPrivate ? { allowPrivate } : {}) };
  return [
    { kind: 'slack', name: 'slack', url: `${base}/services/T0/B0/XXXXXXXX`, ...flags },
    { kind: 'teams', name: 'teams', url: `${base}/workflows/x/invoke?sig=SIG`, ...flags },
    { kind: 'pagerduty', name: 'pd', routingKey: 'routing-key-0001', url: `${base}/v2/enqueue`, ...flags },
    { kind: 'opsgenie', name: 'og', apiKey: 'api-key-0001', region: 'us', url: base, ...flags },
    { kind: 'webhook', name: 'hook', url: `${base}/in`, secret: WEBHOOK_SECRET, ...flags },
  ];
}

const BATCH: PayloadMessage = {
  kind: 'payload',
  title: 'batch',
  incidentKey: 'mesh',
  updateKey: 'mesh:r1',
  decidedAt: NOW.toISOString(),
  body: '{}',
};

function sendToPeer(url: string, allowPrivate: boolean, lookup?: LookupFunction): Promise<SendResult> {
  const peer = {
    id: 'peer',
    url,
    secret: WEBHOOK_SECRET,
    statusUrl: null,
    ...(allowPrivate ? { allowPrivate } : {}),
  };
  return createPeerSink(peer, { now: () => NOW, ...(lookup ? { lookup } : {}) }).send(BATCH, buildContext());
}

function emailConfig(host: string, allowPrivate: boolean): SinkConfig {
  return {
    kind: 'email',
    name: 'mail',
    smtp: { host, port: smtpPort, secure: false },
    from: 'alerts@example.com',
    to: ['oncall@example.com'],
    ...(allowPrivate ? { allowPrivate } : {}),
  };
}

describe('every HTTP sink', () => {
  it('refuses a loopback URL as permanent without connecting, and names allowPrivate', async () => {
    for (const config of httpConfigs(`http://127.0.0.1:${port}`, false)) {
      const result = await createSink(config).send(buildMessage(), buildContext());
      expect(result, config.kind).toEqual({
        outcome: 'permanent',
        status: null,
        detail: `refused: loopback address 127.0.0.1${PRIVATE_HINT}`,
      });
    }
    expect(await sendToPeer(`http://127.0.0.1:${port}/api/mesh`, false)).toEqual({
      outcome: 'permanent',
      status: null,
      detail: `refused: loopback address 127.0.0.1${PRIVATE_HINT}`,
    });
    expect(connections).toBe(0);
  });

  it('connects to a loopback URL with allowPrivate: true', async () => {
    for (const config of httpConfigs(`http://127.0.0.1:${port}`, true)) {
      const result = await createSink(config).send(buildMessage(), buildContext());
      expect(result, config.kind).toMatchObject({ outcome: 'delivered', status: 202 });
    }
    expect(await sendToPeer(`http://127.0.0.1:${port}/api/mesh`, true)).toMatchObject({
      outcome: 'delivered',
    });
    expect(connections).toBe(6);
  });

  it.each([
    ['0x7f.1', 'loopback address 127.0.0.1'],
    ['2130706433', 'loopback address 127.0.0.1'],
    ['0177.0.0.1', 'loopback address 127.0.0.1'],
    ['[::ffff:7f00:1]', 'loopback address ::ffff:7f00:1'],
    ['[::ffff:127.0.0.1]', 'loopback address ::ffff:7f00:1'],
    ['[::1]', 'loopback address ::1'],
  ])('refuses loopback spelled %s without connecting', async (host, reason) => {
    for (const config of httpConfigs(`http://${host}:${port}`, false)) {
      const result = await createSink(config).send(buildMessage(), buildContext());
      expect(result, config.kind).toEqual({
        outcome: 'permanent',
        status: null,
        detail: `refused: ${reason}${PRIVATE_HINT}`,
      });
    }
    expect(await sendToPeer(`http://${host}:${port}/api/mesh`, false)).toMatchObject({
      outcome: 'permanent',
      detail: `refused: ${reason}${PRIVATE_HINT}`,
    });
    expect(connections).toBe(0);
  });

  it.each([
    ['169.254.169.254', 'refused: metadata address 169.254.169.254'],
    ['[fd00:ec2::254]', 'refused: metadata address fd00:ec2::254'],
    ['[::ffff:a9fe:a9fe]', 'refused: metadata address ::ffff:a9fe:a9fe'],
    ['100.100.100.200', 'refused: metadata address 100.100.100.200'],
    ['metadata.google.internal', 'refused: metadata.google.internal is a metadata host name'],
    ['0.0.0.0', 'refused: unspecified address 0.0.0.0'],
    ['[::]', 'refused: unspecified address ::'],
  ])('refuses %s even with allowPrivate, without a DNS lookup', async (host, detail) => {
    const looked: string[] = [];
    const lookup: LookupFunction = async (name) => {
      looked.push(name);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    for (const config of httpConfigs(`http://${host}`, true)) {
      const result = await createSink(config, { lookup }).send(buildMessage(), buildContext());
      expect(result, config.kind).toEqual({ outcome: 'permanent', status: null, detail });
    }
    expect(await sendToPeer(`http://${host}/api/mesh`, true, lookup)).toMatchObject({ detail });
    expect(looked).toEqual([]);
  });

  it.each([
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'private'],
  ])('refuses a name that resolves to %s (checked after DNS)', async (address, kind) => {
    const lookup: LookupFunction = async () => [{ address, family: address.includes(':') ? 6 : 4 }];
    for (const config of httpConfigs('https://hooks.example.test', false)) {
      const result = await createSink(config, { lookup }).send(buildMessage(), buildContext());
      expect(result, config.kind).toEqual({
        outcome: 'permanent',
        status: null,
        detail: `refused: hooks.example.test resolves to ${kind} address ${address}${PRIVATE_HINT}`,
      });
    }
  });

  it('refuses localhost by name, and with allowPrivate connects to what it resolves to', async () => {
    const lookup: LookupFunction = async () => [{ address: '127.0.0.1', family: 4 }];
    const [slack] = httpConfigs(`http://localhost:${port}`, false);
    const refused = await createSink(slack as SinkConfig, { lookup }).send(buildMessage(), buildContext());
    expect(refused.detail).toBe(`refused: localhost is a loopback host name${PRIVATE_HINT}`);
    expect(connections).toBe(0);
    const [allowed] = httpConfigs(`http://localhost:${port}`, true);
    const sent = await createSink(allowed as SinkConfig, { lookup }).send(buildMessage(), buildContext());
    expect(sent).toMatchObject({ outcome: 'delivered' });
  });

  it('connects each sink to the address it checked (one lookup), keeping the Host header', async () => {
    const looked: string[] = [];
    // A rebinding resolver: a second lookup would get another address; there is none.
    const lookup: LookupFunction = async (name) => {
      looked.push(name);
      return looked.length === 1
        ? [{ address: '127.0.0.1', family: 4 }]
        : [{ address: '10.9.9.9', family: 4 }];
    };
    const [slack] = httpConfigs(`http://receiver.example.test:${port}`, true);
    const result = await createSink(slack as SinkConfig, { lookup }).send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'delivered' });
    expect(looked).toEqual(['receiver.example.test']);
    expect(hosts).toEqual([`receiver.example.test:${port}`]);
  });
});

describe('the email sink (SMTP host)', () => {
  it.each(['127.0.0.1', '0177.0.0.1', '2130706433', 'localhost'])(
    'refuses the SMTP host %s as permanent without connecting',
    async (host) => {
      const result = await createSink(emailConfig(host, false)).send(buildMessage(), buildContext());
      expect(result).toMatchObject({ outcome: 'permanent', status: null });
      expect(result.detail).toMatch(
        /^refused: .*loopback .*\(set allowPrivate to allow a private destination\)$/,
      );
      expect(smtpConnections).toBe(0);
    },
  );

  it('connects with allowPrivate: true', async () => {
    const result = await createSink(emailConfig('127.0.0.1', true)).send(buildMessage(), buildContext());
    expect(result).toMatchObject({ outcome: 'delivered', status: 250 });
    expect(smtpConnections).toBe(1);
  });

  it('refuses a metadata host name even with allowPrivate, and a name that resolves to loopback', async () => {
    const lookup: LookupFunction = async () => [{ address: '127.0.0.1', family: 4 }];
    const metadata = await createSink(emailConfig('metadata.google.internal', true), { lookup }).send(
      buildMessage(),
      buildContext(),
    );
    expect(metadata).toEqual({
      outcome: 'permanent',
      status: null,
      detail: 'refused: metadata.google.internal is a metadata host name',
    });
    const rebound = await createSink(emailConfig('smtp.example.test', false), { lookup }).send(
      buildMessage(),
      buildContext(),
    );
    expect(rebound.detail).toBe(
      `refused: smtp.example.test resolves to loopback address 127.0.0.1${PRIVATE_HINT}`,
    );
    expect(smtpConnections).toBe(0);
  });
});

describe('the pinned connection keeps the host name for TLS', () => {
  it('an HTTPS sink presents the URL host as the TLS server name while connecting to the checked address', async () => {
    const leaf = await (await createTestCa()).issue({ dnsNames: ['receiver.example.test'] });
    const names: string[] = [];
    const server = createHttpsServer(
      {
        ...leaf,
        SNICallback: (name, callback) => {
          names.push(name);
          callback(null, createSecureContext(leaf));
        },
      },
      (_request, response) => response.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const tlsPort = (server.address() as AddressInfo).port;
      const lookup: LookupFunction = async () => [{ address: '127.0.0.1', family: 4 }];
      const sink = createSink(
        {
          kind: 'slack',
          name: 's',
          url: `https://receiver.example.test:${tlsPort}/hook`,
          allowPrivate: true,
        },
        { lookup },
      );
      // The test CA is not trusted by the sink: the handshake fails after the server name was sent.
      expect(await sink.send(buildMessage(), buildContext())).toMatchObject({ outcome: 'transient' });
      expect(names).toEqual(['receiver.example.test']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the email sink gives nodemailer the checked address and the SMTP host name for TLS', async () => {
    const leaf = await (await createTestCa()).issue({ dnsNames: ['smtp.example.test'] });
    const names: string[] = [];
    const tlsSmtp = new SMTPServer({
      secure: true,
      ...leaf,
      logger: false,
      SNICallback: (name, callback) => {
        names.push(name);
        callback(null, createSecureContext(leaf));
      },
    });
    // The client gives up on the untrusted certificate: the server reports the closed socket.
    tlsSmtp.on('error', () => undefined);
    await new Promise<void>((resolve) => tlsSmtp.listen(0, '127.0.0.1', () => resolve()));
    try {
      const lookup: LookupFunction = async () => [{ address: '127.0.0.1', family: 4 }];
      const config: SinkConfig = {
        kind: 'email',
        name: 'mail',
        smtp: {
          host: 'smtp.example.test',
          port: (tlsSmtp.server.address() as AddressInfo).port,
          secure: true,
        },
        from: 'alerts@example.com',
        to: ['oncall@example.com'],
        allowPrivate: true,
      };
      const result = await createSink(config, { lookup }).send(buildMessage(), buildContext());
      expect(result.outcome).not.toBe('delivered');
      expect(names).toEqual(['smtp.example.test']);
    } finally {
      await new Promise<void>((resolve) => tlsSmtp.close(() => resolve()));
    }
  });
});

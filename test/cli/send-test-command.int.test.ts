/**
 * `crosswatch send-test` prints what the sink answered, so it must print neither part of a secret
 * the reply carries across the 8 KiB read bound, nor reach a loopback Slack URL the configuration
 * does not allow (the SSRF guard refuses it before connecting). Real Slack sink, real loopback server
 * counting its connections, in-process CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/cli-io.ts';
import { runCli } from '../../cli/main.ts';
import { MAX_REPLY_BYTES } from '../../shared/notify/sinks/bounded-reply.ts';
import { captureIo } from '../helpers/cli-harness.ts';

const SECRET = 'Zq7SENTINELslackPathSecret0123456789';
const root = mkdtempSync(join(tmpdir(), 'crosswatch-send-test-'));
let server: Server;
let base: string;
let connections = 0;
let reply = '';
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(reply);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  connections = 0;
});

async function sendTest(sink: Record<string, unknown>) {
  const path = join(root, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ notify: { sinks: [{ name: 'ops', kind: 'slack', ...sink }] } }));
  const captured = captureIo();
  const io: CliIo = {
    ...captured.io,
    readFile: (file) =>
      file === 'crosswatch.config.json'
        ? Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }))
        : readFile(file),
  };
  const code = await runCli(['send-test', '--sink', 'ops', '--config', path], io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('crosswatch send-test', () => {
  it.each([4, 12, 30])(
    'prints no part of a secret the reply carries across the read bound (%i characters inside)',
    async (inside) => {
      reply = `${' '.repeat(MAX_REPLY_BYTES - inside)}${SECRET}`;
      const { code, stdout, stderr } = await sendTest({
        url: `${base}/services/T0/B0/${SECRET}`,
        allowInsecure: true,
        allowPrivate: true,
      });
      expect(code).toBe(1);
      // The secret is redacted whole; cut by the bound, even its marker goes.
      expect(stdout).toMatch(
        /^send-test: ops \(slack\): permanent \(status 404\): HTTP 404( \[redacted\])?\n$/,
      );
      expect(stdout + stderr).not.toContain(SECRET.slice(0, 4));
      expect(connections).toBe(1);
    },
  );

  it('refuses a Slack URL to loopback without allowPrivate, before connecting', async () => {
    const { code, stdout } = await sendTest({ url: `${base}/services/T0/B0/${SECRET}`, allowInsecure: true });
    expect(code).toBe(1);
    expect(stdout).toBe(
      'send-test: ops (slack): permanent: refused: loopback address 127.0.0.1 (set allowPrivate to allow a private destination)\n',
    );
    expect(connections).toBe(0);
  });
});

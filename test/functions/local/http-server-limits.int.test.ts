/**
 * The local runner's HTTP server against slow and numerous clients, with real sockets on loopback
 * (in-process runner, `crosswatch serve` with a configuration file): headers or a body trickling in
 * one byte at a time, and a connection that sends nothing, are answered 408 and closed once
 * server.headersTimeoutMs / server.requestTimeoutMs pass (short values here, so the test need not
 * wait 10 s); a connection beyond server.maxConnections is closed at once; the defaults are set.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runServeCommand } from '../../../cli/serve-command.ts';
import type { LocalRunner } from '../../../functions/local/local-runner.ts';
import { captureIo } from '../../helpers/cli-harness.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswatch-http-limits-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `crosswatch serve --port 0 --no-probes` in `dir` with `server` settings; resolves once listening. */
async function startServe(server: Record<string, number>) {
  await writeFile(join(dir, 'crosswatch.config.json'), JSON.stringify({ server }));
  const harness = captureIo();
  const controller = new AbortController();
  let ready: (runner: LocalRunner) => void = () => undefined;
  const started = new Promise<LocalRunner>((resolve) => {
    ready = resolve;
  });
  const exit = runServeCommand(['--port', '0', '--no-probes'], harness.io, {
    version: 'test',
    signal: controller.signal,
    onReady: (runner) => ready(runner),
    cwd: dir,
  });
  const runner = await Promise.race([
    started,
    exit.then((code) => {
      throw new Error(`serve exited ${code}: ${harness.stderr()}`);
    }),
  ]);
  const stop = () => {
    controller.abort();
    return exit;
  };
  return { harness, runner, stop };
}

interface Outcome {
  /** 'closed': the server closed the connection; 'sent-everything': the client ran out of bytes first. */
  readonly how: 'closed' | 'sent-everything';
  readonly received: string;
  readonly bytesSent: number;
}

/**
 * Connects, writes `head` at once, then `drip` one byte every 20 ms; resolves when the server closes
 * the connection, or once every byte was sent and the server still kept it open another second.
 */
function trickle(port: number, head: string, drip: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ how: 'closed', received, bytesSent: sent });
    });
    socket.on('connect', () => {
      if (head) socket.write(head);
      timer = setInterval(() => {
        if (sent < drip.length) {
          socket.write(drip.charAt(sent));
          sent++;
          return;
        }
        clearInterval(timer);
        setTimeout(() => {
          socket.removeAllListeners('close');
          socket.destroy();
          resolve({ how: 'sent-everything', received, bytesSent: sent });
        }, 1000);
      }, 20);
    });
  });
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends one GET on the socket; resolves with what came back before the server closed it (or the answer). */
function requestOn(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const done = () => resolve(received);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

/** fetch, retried while the server still counts connections the client already closed. */
async function fetchOnceAccepted(url: string): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url);
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('local runner HTTP server limits', () => {
  it('sets header and request timeouts (checked every second), a keep-alive timeout and a connection cap by default', async () => {
    const { runner, stop } = await startServe({});
    try {
      expect(runner.info.http).toEqual({
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 15_000,
        keepAliveTimeoutMs: 5000,
        connectionsCheckingIntervalMs: 1000,
        maxConnections: 1000,
      });
    } finally {
      expect(await stop()).toBe(0);
    }
  });

  it('answers 408 and closes connections whose headers or body trickle in, or that send nothing', async () => {
    const { runner, stop } = await startServe({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    try {
      expect(runner.info.http.connectionsCheckingIntervalMs).toBe(75);
      // 400 header bytes at one per 20 ms would take 8 s: the server must cut it long before.
      const slowHeaders = trickle(
        runner.info.port,
        'POST /api/service-health HTTP/1.1\r\nHost: x\r\n',
        `X-Slow: ${'a'.repeat(400)}`,
      );
      const token = (await readFile(join(dir, '.crosswatch', 'local-token'), 'utf8')).trim();
      const slowBody = trickle(
        runner.info.port,
        `POST /api/service-health?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n`,
        `"${'b'.repeat(398)}"`,
      );
      const silent = trickle(runner.info.port, '', '');
      const outcomes = await Promise.all([slowHeaders, slowBody, silent]);
      for (const [name, outcome] of [
        ['slow headers', outcomes[0]],
        ['slow body', outcomes[1]],
        ['silent', outcomes[2]],
      ] as const) {
        expect(outcome?.how, name).toBe('closed');
        expect(outcome?.received, name).toMatch(/^HTTP\/1\.1 408 /);
      }
      expect(outcomes[0]?.bytesSent).toBeLessThan(400);
      expect(outcomes[1]?.bytesSent).toBeLessThan(400);
      // The server still serves normal requests.
      expect((await fetch(`${runner.info.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await stop()).toBe(0);
    }
  });

  it('closes a connection beyond server.maxConnections at once, logs it, and accepts again below the cap', async () => {
    // Long timeouts: the held connections stay open however slow this machine is.
    const { harness, runner, stop } = await startServe({
      maxConnections: 3,
      headersTimeoutMs: 600_000,
      requestTimeoutMs: 600_000,
    });
    const held: Socket[] = [];
    try {
      // Three connections, each shown to be accepted by a request answered on it, then held open by
      // the start of a next request (headers pending: the keep-alive timeout no longer applies).
      for (let index = 0; index < 3; index++) {
        const socket = await openSocket(runner.info.port);
        held.push(socket);
        expect(await requestOn(socket, '/healthz')).toMatch(/^HTTP\/1\.1 200 /);
        socket.removeAllListeners('data');
        socket.removeAllListeners('close');
        socket.write('GET /healthz HTTP/1.1\r\n');
      }
      const fourth = await openSocket(runner.info.port);
      expect(await requestOn(fourth, '/healthz')).toBe('');
      const fifth = await openSocket(runner.info.port);
      expect(await requestOn(fifth, '/healthz')).toBe('');
      // Both counted; logged once (the harness clock stands still: within the same minute).
      const warnings = harness
        .stdout()
        .split('\n')
        .filter((line) => line.includes('"msg":"connection refused: server.maxConnections reached"'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({
        level: 'warn',
        maxConnections: 3,
        droppedSinceStart: 1,
      });

      // Below the cap again: a new connection is served (once the server has seen one close).
      const first = held.shift();
      first?.destroy();
      let answer = '';
      for (let attempt = 0; attempt < 100 && answer === ''; attempt++) {
        const socket = await openSocket(runner.info.port);
        answer = await requestOn(socket, '/healthz');
        socket.destroy();
        if (answer === '') await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      for (const socket of held.splice(0)) socket.destroy();
      const status = (await (await fetchOnceAccepted(`${runner.info.url}/api/status`)).json()) as {
        metrics: { counters: { name: string; value: number }[] };
      };
      expect(
        status.metrics.counters.find((counter) => counter.name === 'http_connections_dropped')?.value,
      ).toBe(2);
    } finally {
      for (const socket of held) socket.destroy();
      expect(await stop()).toBe(0);
    }
  });
});

/**
 * Real servers on 127.0.0.1 for probe tests: HTTP(S) with scripted routes, a server that accepts and
 * never answers, one that resets every connection, a port that refuses, SMTP banners, TLS. Every
 * server listens on an ephemeral port and closes (destroying its sockets) in `close()`.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type TlsOptions } from 'node:tls';

export interface Loopback {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

function track(server: NetServer | Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  return sockets;
}

async function listen(server: NetServer | Server, scheme: string): Promise<Loopback> {
  const sockets = track(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    url: `${scheme}://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function startHttpServer(handler: Handler): Promise<Loopback> {
  return listen(createHttpServer(handler), 'http');
}

export function startHttpsServer(tls: SecureContextOptions, handler: Handler): Promise<Loopback> {
  return listen(createHttpsServer(tls, handler), 'https');
}

/** Accepts connections and never writes a byte. */
export function startSilentServer(): Promise<Loopback> {
  return listen(
    createNetServer(() => undefined),
    'http',
  );
}

/** Accepts and immediately resets (RST) every connection. */
export function startResettingServer(): Promise<Loopback> {
  return listen(
    createNetServer((socket) => socket.resetAndDestroy()),
    'http',
  );
}

/**
 * A minimal SMTP-like line server: writes `banner` on connect (and closes when told to), answers
 * QUIT with 221 and every other line with `reply` (default `250 ok`); records each line received.
 */
export function startLineServer(
  banner: string,
  options: { closeAfterBanner?: boolean; reply?: string; lines?: string[] } = {},
): Promise<Loopback> {
  return listen(
    createNetServer((socket) => {
      socket.write(banner);
      if (options.closeAfterBanner) socket.end();
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          options.lines?.push(line);
          if (line.toUpperCase().startsWith('QUIT')) socket.end('221 bye\r\n');
          else socket.write(`${options.reply ?? '250 ok'}\r\n`);
          newline = buffer.indexOf('\n');
        }
      });
    }),
    'smtp',
  );
}

/** A TLS server; `SNICallback` may pick a certificate per server name. */
export function startTlsServer(tls: TlsOptions): Promise<Loopback> {
  return listen(
    createTlsServer(tls, (socket) => socket.end()),
    'tls',
  );
}

/** A port that was just free: connecting to it is refused. */
export async function findClosedPort(): Promise<number> {
  const server = await listen(createNetServer(), 'tcp');
  await server.close();
  return server.port;
}

/**
 * A real authoritative-style DNS server on 127.0.0.1 (UDP, plus TCP on the same port for truncation
 * fallback), encoded with dns-packet. Each name in the zone has a behaviour: records, NXDOMAIN,
 * SERVFAIL, REFUSED, an empty answer, silence, or a truncated UDP answer that is complete over TCP.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';

export type DnsRecord = dnsPacket.Answer;
export type DnsBehavior =
  | { readonly records: readonly DnsRecord[]; readonly truncateOverUdp?: boolean }
  | 'nxdomain'
  | 'servfail'
  | 'refused'
  | 'empty'
  | 'silence';

export interface DnsServer {
  readonly port: number;
  /** `127.0.0.1:PORT`, what the dns probe's `resolvers` take. */
  readonly address: string;
  /** Queries seen, by transport. */
  readonly queries: { udp: number; tcp: number };
  close(): Promise<void>;
}

const RCODES = { nxdomain: 3, servfail: 2, refused: 5 } as const;

function answer(
  query: dnsPacket.Packet,
  zone: Readonly<Record<string, DnsBehavior>>,
  transport: 'udp' | 'tcp',
): Buffer | null {
  const question = query.questions?.[0];
  const behavior = question ? zone[question.name.toLowerCase()] : 'nxdomain';
  if (behavior === undefined || behavior === 'silence')
    return behavior === undefined ? build(query, 3, []) : null;
  if (typeof behavior === 'string') return build(query, behavior === 'empty' ? 0 : RCODES[behavior], []);
  const records = behavior.records.filter((record) => record.type === question?.type);
  if (behavior.truncateOverUdp && transport === 'udp')
    return build(query, 0, [], dnsPacket.TRUNCATED_RESPONSE);
  return build(query, 0, records);
}

function build(
  query: dnsPacket.Packet,
  rcode: number,
  answers: readonly DnsRecord[],
  extraFlags = 0,
): Buffer {
  return dnsPacket.encode({
    id: query.id,
    type: 'response',
    flags:
      dnsPacket.RECURSION_DESIRED |
      dnsPacket.RECURSION_AVAILABLE |
      dnsPacket.AUTHORITATIVE_ANSWER |
      extraFlags |
      rcode,
    questions: query.questions,
    answers: [...answers],
  });
}

async function bindPair(): Promise<{ tcp: Server; udp: UdpSocket; port: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve());
    });
    const address = tcp.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const udp = createSocket('udp4');
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(address.port, '127.0.0.1', () => resolve(true));
    });
    if (bound) return { tcp, udp, port: address.port };
    udp.close();
    await new Promise((resolve) => tcp.close(resolve));
  }
  throw new Error('could not bind UDP and TCP on the same loopback port');
}

export async function startDnsServer(zone: Readonly<Record<string, DnsBehavior>>): Promise<DnsServer> {
  const { tcp, udp, port } = await bindPair();
  const queries = { udp: 0, tcp: 0 };
  const sockets = new Set<Socket>();
  udp.on('message', (message, remote) => {
    queries.udp++;
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const reply = answer(query, zone, 'udp');
    if (reply) udp.send(reply, remote.port, remote.address);
  });
  tcp.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2) {
        const length = buffer.readUInt16BE(0);
        if (buffer.length < length + 2) break;
        const message = buffer.subarray(2, length + 2);
        buffer = buffer.subarray(length + 2);
        queries.tcp++;
        const reply = answer(dnsPacket.decode(message), zone, 'tcp');
        if (reply) {
          const framed = Buffer.alloc(reply.length + 2);
          framed.writeUInt16BE(reply.length, 0);
          reply.copy(framed, 2);
          socket.write(framed);
        }
      }
    });
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    queries,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise((resolve) => tcp.close(resolve)),
        new Promise<void>((resolve) => udp.close(() => resolve())),
      ]);
    },
  };
}

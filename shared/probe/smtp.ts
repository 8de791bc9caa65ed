/**
 * SMTP probe over a raw `node:net` / `node:tls` conversation: banner, EHLO, STARTTLS when offered
 * (negotiated and verified like the tls probe), EHLO again, QUIT. Reply codes other than the
 * expected one are kept as `SMTP_<code>` (421 and 451 deferrals are what a mail outage looks like).
 * It never sends mail: no MAIL FROM, RCPT TO or DATA is ever written.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { ProbeErrorCode } from '../event/vocabulary.ts';
import { classifyError, classifyTimeout, describeError, type ProbePhase } from './classify-error.ts';
import { DEFAULT_MIN_CERT_DAYS } from './http.ts';
import {
  createEmptyPhases,
  normalizeCa,
  type Observation,
  type ProbeContext,
  ProbeFailure,
  type ProbeReport,
  reportFailure,
  roundMs,
} from './probe-types.ts';
import type { SmtpTarget } from './target-types.ts';
import { inspectTlsSocket } from './tls.ts';

export interface SmtpReply {
  readonly code: number;
  /** Text of each line, without the code and separator. */
  readonly lines: readonly string[];
}

const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/;
const MAX_REPLY_BYTES = 64 * 1024;

class SmtpProtocolError extends Error {
  override readonly name = 'SmtpProtocolError';
}

/** Reads complete (possibly multi-line) SMTP replies from a socket. */
function createReplyReader(socket: Socket) {
  let buffer = '';
  let lines: string[] = [];
  const ready: SmtpReply[] = [];
  let failure: Error | null = null;
  let waiter: { resolve: (reply: SmtpReply) => void; reject: (error: Error) => void } | null = null;
  const flush = () => {
    if (waiter === null) return;
    const reply = ready.shift();
    if (reply !== undefined) {
      const { resolve } = waiter;
      waiter = null;
      resolve(reply);
    } else if (failure !== null) {
      const { reject } = waiter;
      waiter = null;
      reject(failure);
    }
  };
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    if (buffer.length > MAX_REPLY_BYTES) failure ??= new SmtpProtocolError('reply longer than 64 KiB');
    let newline = buffer.indexOf('\n');
    while (newline >= 0 && failure === null) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      const match = REPLY_LINE.exec(line);
      if (match === null) {
        failure = new SmtpProtocolError(`malformed reply line "${line.slice(0, 60)}"`);
        break;
      }
      lines.push(match[3] ?? '');
      if (match[2] !== '-') {
        ready.push({ code: Number(match[1]), lines });
        lines = [];
      }
      newline = buffer.indexOf('\n');
    }
    flush();
  };
  const onError = (error: Error) => {
    failure ??= error;
    flush();
  };
  const onClose = () => {
    failure ??= new SmtpProtocolError('connection closed by the server before a complete reply');
    flush();
  };
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);
  return {
    next(): Promise<SmtpReply> {
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
        flush();
      });
    },
    detach() {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    },
  };
}

function waitForEvent(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    socket.once('error', onError);
    socket.once(event, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** One SMTP conversation: what its steps share. */
interface SmtpSession {
  readonly ctx: ProbeContext;
  readonly target: SmtpTarget;
  readonly phases: ReturnType<typeof createEmptyPhases>;
  readonly observations: Record<string, Observation>;
  readonly ehloName: string;
  /** The phase in progress: it names the error code of a failure or timeout. */
  phase: ProbePhase;
  /** The socket in use (plain, then TLS): ended and destroyed when the probe is done. */
  socket: Socket | undefined;
  /** Milliseconds since the probe started. */
  readonly elapsed: () => number;
  /** Races one step of the conversation against the probe's abort. */
  readonly step: <T>(promise: Promise<T>) => Promise<T>;
  /** Stops listening to the probe's abort. */
  readonly release: () => void;
}

function openSmtpSession(target: SmtpTarget, ctx: ProbeContext): SmtpSession {
  const start = ctx.now();
  const phases = createEmptyPhases();
  const elapsed = () => roundMs(ctx.now() - start);
  let onAbort: (() => void) | undefined;
  const session: SmtpSession = {
    ctx,
    target,
    phases,
    observations: {},
    ehloName: target.ehloName ?? 'crosswatch.invalid',
    phase: isIP(target.host) ? 'connect' : 'dns',
    socket: undefined,
    elapsed,
    step: (promise) => Promise.race([promise, aborted]),
    release: () => {
      if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    },
  };
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        new ProbeFailure(
          classifyTimeout(session.phase),
          `no ${session.phase} completion within ${elapsed()} ms`,
          phases,
          true,
        ),
      );
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  return session;
}

function finishSmtp(
  session: SmtpSession,
  outcome: ProbeReport['outcome'],
  error: ProbeErrorCode | null,
  errorDetail: string | null,
): ProbeReport {
  const { phases } = session;
  phases.totalMs = session.elapsed();
  return {
    outcome,
    latencyMs: phases.totalMs,
    phases,
    error,
    errorDetail,
    observations: session.observations,
    aborted: false,
  };
}

/** A reply other than the expected one: `down` with `SMTP_<code>`. */
function reportUnexpectedReply(session: SmtpSession, reply: SmtpReply, after: string): ProbeReport {
  session.observations.lastReply = `${reply.code} ${reply.lines.join(' ')}`.slice(0, 200);
  return finishSmtp(
    session,
    'down',
    `SMTP_${reply.code}` as ProbeErrorCode,
    `${after}: ${reply.code} ${(reply.lines[0] ?? '').slice(0, 120)}`,
  );
}

function sendCommand(session: SmtpSession, command: string): void {
  session.socket?.write(`${command}\r\n`);
}

/** Connects, reads the banner, says EHLO and, when STARTTLS is offered, asks for it and goes on over TLS. */
async function converseInPlain(session: SmtpSession): Promise<ProbeReport> {
  const { target, phases, observations, step } = session;
  const plain = connectTcp({ host: target.host, port: target.port });
  session.socket = plain;
  // The reader and waitForEvent judge errors; this keeps a late one (after QUIT) from being unhandled.
  plain.on('error', () => undefined);
  plain.once('lookup', () => {
    phases.dnsMs = session.elapsed();
    session.phase = 'connect';
  });
  await step(waitForEvent(plain, 'connect'));
  phases.connectMs = session.elapsed();
  session.phase = 'smtp';
  const reader = createReplyReader(plain);
  const banner = await step(reader.next());
  phases.firstByteMs = session.elapsed();
  observations.banner = (banner.lines[0] ?? '').slice(0, 160);
  observations.bannerCode = banner.code;
  if (banner.code !== 220) return reportUnexpectedReply(session, banner, 'banner');
  sendCommand(session, `EHLO ${session.ehloName}`);
  const ehlo = await step(reader.next());
  if (ehlo.code !== 250) return reportUnexpectedReply(session, ehlo, 'EHLO');
  const offered = ehlo.lines.some((line) => /^STARTTLS\b/i.test(line));
  observations.startTlsOffered = offered;
  if (!offered) {
    sendCommand(session, 'QUIT');
    return target.requireStartTls
      ? finishSmtp(session, 'degraded', 'SMTP_NO_STARTTLS', 'STARTTLS not offered in the EHLO reply')
      : finishSmtp(session, 'up', null, null);
  }
  sendCommand(session, 'STARTTLS');
  const ready = await step(reader.next());
  if (ready.code !== 220) return reportUnexpectedReply(session, ready, 'STARTTLS');
  reader.detach();
  return converseOverTls(session, plain);
}

/** Negotiates TLS (verified like the tls probe), says EHLO again and quits; an expiring certificate degrades. */
async function converseOverTls(session: SmtpSession, plain: Socket): Promise<ProbeReport> {
  const { ctx, target, phases, observations, step } = session;
  session.phase = 'tls';
  const ca = [...(normalizeCa(ctx.ca) ?? []), ...(target.ca ? [target.ca] : [])];
  const secure: TLSSocket = connectTls({
    socket: plain,
    servername: target.servername ?? (isIP(target.host) ? undefined : target.host),
    ca: ca.length > 0 ? ca : undefined,
    rejectUnauthorized: false,
  });
  session.socket = secure;
  secure.on('error', () => undefined);
  await step(waitForEvent(secure, 'secureConnect'));
  phases.tlsMs = session.elapsed();
  const inspected = inspectTlsSocket(secure, ctx.wallNow());
  Object.assign(observations, inspected.observations);
  if (inspected.error !== null) {
    sendCommand(session, 'QUIT');
    return finishSmtp(session, 'down', inspected.error, inspected.detail);
  }
  session.phase = 'smtp';
  const reader = createReplyReader(secure);
  sendCommand(session, `EHLO ${session.ehloName}`);
  const secondEhlo = await step(reader.next());
  if (secondEhlo.code !== 250) return reportUnexpectedReply(session, secondEhlo, 'EHLO after STARTTLS');
  const report = finishSmtp(session, 'up', null, null);
  sendCommand(session, 'QUIT');
  if (inspected.daysLeft !== null && inspected.daysLeft < DEFAULT_MIN_CERT_DAYS) {
    return {
      ...report,
      outcome: 'degraded',
      error: 'TLS_EXPIRING',
      errorDetail: `certificate expires in ${inspected.daysLeft} days`,
    };
  }
  return report;
}

function reportSmtpError(session: SmtpSession, error: unknown): ProbeReport {
  const { phases, observations } = session;
  phases.totalMs = session.elapsed();
  if (error instanceof ProbeFailure) return reportFailure(error, observations);
  const code = error instanceof SmtpProtocolError ? 'SMTP_PROTOCOL' : classifyError(error, session.phase);
  return {
    outcome: 'down',
    latencyMs: null,
    phases,
    error: code,
    errorDetail: describeError(error),
    observations,
    aborted: false,
  };
}

export async function probeSmtp(target: SmtpTarget, ctx: ProbeContext): Promise<ProbeReport> {
  const session = openSmtpSession(target, ctx);
  try {
    await session.step(Promise.resolve());
    return await converseInPlain(session);
  } catch (error) {
    return reportSmtpError(session, error);
  } finally {
    session.release();
    // QUIT was written where the conversation got that far; the reply is not awaited.
    session.socket?.end();
    session.socket?.destroy();
  }
}

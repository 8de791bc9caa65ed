/**
 * TLS probe: handshake with SNI, negotiated protocol, chain validity (verified against the system
 * store, or an extra CA), hostname match and days to expiry. Verification errors are read from the
 * completed handshake (`authorizationError`) so an expired certificate still reports its dates.
 */
import { isIP } from 'node:net';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { ProbeErrorCode } from '../event/vocabulary.ts';
import { classifyError, classifyTimeout, describeError, type ProbePhase } from './classify-error.ts';
import { DEFAULT_MIN_CERT_DAYS } from './http.ts';
import {
  computeDaysLeft,
  createEmptyPhases,
  normalizeCa,
  type Observation,
  type ProbeContext,
  type ProbeReport,
  roundMs,
} from './probe-types.ts';
import type { TlsTarget } from './target-types.ts';

function firstName(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Observations and the verification verdict of a completed handshake (also used by smtp). */
export function inspectTlsSocket(
  socket: TLSSocket,
  now: Date,
): {
  observations: Record<string, Observation>;
  error: ProbeErrorCode | null;
  detail: string | null;
  daysLeft: number | null;
} {
  const certificate = socket.getPeerCertificate(true) as PeerCertificate | undefined;
  const daysLeft = computeDaysLeft(certificate?.valid_to, now);
  let chainLength = 0;
  const seen = new Set<string>();
  for (
    let cert = certificate as (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined;
    cert && !seen.has(cert.fingerprint256);
    cert = cert.issuerCertificate
  ) {
    seen.add(cert.fingerprint256);
    chainLength++;
  }
  const observations: Record<string, Observation> = {
    tlsProtocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
    authorized: socket.authorized,
    certSubject: firstName(certificate?.subject?.CN),
    certIssuer: firstName(certificate?.issuer?.CN),
    certValidTo: certificate?.valid_to ?? null,
    certDaysLeft: daysLeft,
    chainLength,
  };
  if (socket.authorized) return { observations, error: null, detail: null, daysLeft };
  const reason = String(socket.authorizationError ?? 'UNKNOWN');
  return {
    observations,
    error: classifyError({ code: reason }, 'tls'),
    detail: `certificate not accepted: ${reason}`,
    daysLeft,
  };
}

export function probeTls(target: TlsTarget, ctx: ProbeContext): Promise<ProbeReport> {
  const start = ctx.now();
  const phases = createEmptyPhases();
  const elapsed = () => roundMs(ctx.now() - start);
  const servername = target.servername ?? (isIP(target.host) ? undefined : target.host);
  let phase: ProbePhase = isIP(target.host) ? 'connect' : 'dns';
  const ca = [...(normalizeCa(ctx.ca) ?? []), ...(target.ca ? [target.ca] : [])];
  return new Promise<ProbeReport>((resolve) => {
    let settled = false;
    let socket: TLSSocket | undefined;
    const finish = (report: Omit<ProbeReport, 'phases'>) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      phases.totalMs = elapsed();
      socket?.destroy();
      resolve({ ...report, phases });
    };
    const fail = (error: ProbeErrorCode, errorDetail: string, aborted = false) =>
      finish({ outcome: 'down', latencyMs: null, error, errorDetail, observations: {}, aborted });
    const onAbort = () => fail(classifyTimeout(phase), `no ${phase} completion within ${elapsed()} ms`, true);
    if (ctx.signal.aborted) {
      fail(classifyTimeout(phase), 'aborted before start', true);
      return;
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const sock = connect({
      host: target.host,
      port: target.port,
      servername,
      ca: ca.length > 0 ? ca : undefined,
      // Verification is judged from authorizationError after the handshake, so that an expired or
      // mismatched certificate still yields its dates and a precise code. Nothing is sent.
      rejectUnauthorized: false,
    });
    socket = sock;
    sock.once('lookup', () => {
      phases.dnsMs = elapsed();
      phase = 'connect';
    });
    sock.once('connect', () => {
      phases.connectMs = elapsed();
      phase = 'tls';
    });
    sock.once('secureConnect', () => {
      phases.tlsMs = elapsed();
      const inspected = inspectTlsSocket(sock, ctx.wallNow());
      const observations = { ...inspected.observations, sni: servername ?? null };
      const latencyMs = phases.tlsMs;
      if (inspected.error !== null) {
        finish({
          outcome: 'down',
          latencyMs,
          error: inspected.error,
          errorDetail: inspected.detail,
          observations,
          aborted: false,
        });
        return;
      }
      const minDays = target.minCertDays ?? DEFAULT_MIN_CERT_DAYS;
      if (inspected.daysLeft !== null && inspected.daysLeft < minDays) {
        finish({
          outcome: 'degraded',
          latencyMs,
          error: 'TLS_EXPIRING',
          errorDetail: `certificate expires in ${inspected.daysLeft} days (threshold ${minDays})`,
          observations,
          aborted: false,
        });
        return;
      }
      finish({ outcome: 'up', latencyMs, error: null, errorDetail: null, observations, aborted: false });
    });
    sock.on('error', (error) => fail(classifyError(error, phase), describeError(error)));
  });
}

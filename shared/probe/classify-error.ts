/**
 * Maps what Node's net, tls, dns and http layers throw to the stable probe error codes of schema v1.
 * A code names what failed, never how the library phrased it; unknown errors fall back to the
 * layer's generic code so a new libuv or OpenSSL message never leaks into an incident key.
 */
import type { ProbeErrorCode } from '../event/vocabulary.ts';
import { createLookup } from '../util/read.ts';

/** The protocol layer a probe was in when it failed: it decides the timeout and fallback codes. */
export const PROBE_PHASES = ['dns', 'connect', 'tls', 'http', 'smtp'] as const;
export type ProbePhase = (typeof PROBE_PHASES)[number];

const BY_ERRNO: ReadonlyMap<string, ProbeErrorCode> = createLookup({
  // sockets (libuv errno names)
  ECONNREFUSED: 'TCP_REFUSED',
  ECONNRESET: 'TCP_RESET',
  EPIPE: 'TCP_RESET',
  ECONNABORTED: 'TCP_RESET',
  ETIMEDOUT: 'TCP_TIMEOUT',
  EHOSTUNREACH: 'TCP_UNREACHABLE',
  ENETUNREACH: 'TCP_UNREACHABLE',
  EHOSTDOWN: 'TCP_UNREACHABLE',
  ENETDOWN: 'TCP_UNREACHABLE',
  EADDRNOTAVAIL: 'TCP_UNREACHABLE',
  // resolvers: getaddrinfo (lookup) and c-ares (Resolver)
  ENOTFOUND: 'DNS_NXDOMAIN',
  EAI_NONAME: 'DNS_NXDOMAIN',
  EAI_AGAIN: 'DNS_TIMEOUT',
  ETIMEOUT: 'DNS_TIMEOUT',
  ESERVFAIL: 'DNS_SERVFAIL',
  EREFUSED: 'DNS_REFUSED',
  ENODATA: 'DNS_NODATA',
  EAI_NODATA: 'DNS_NODATA',
  EBADRESP: 'DNS_ERROR',
  EFORMERR: 'DNS_ERROR',
  // certificate verification (OpenSSL X509_V_ERR names as Node reports them)
  CERT_HAS_EXPIRED: 'TLS_EXPIRED',
  CERT_NOT_YET_VALID: 'TLS_NOT_YET_VALID',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS_HOSTNAME_MISMATCH',
  HOSTNAME_MISMATCH: 'TLS_HOSTNAME_MISMATCH',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS_UNTRUSTED',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS_UNTRUSTED',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS_UNTRUSTED',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS_UNTRUSTED',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS_UNTRUSTED',
  CERT_UNTRUSTED: 'TLS_UNTRUSTED',
  CERT_REVOKED: 'TLS_UNTRUSTED',
  CERT_SIGNATURE_FAILURE: 'TLS_UNTRUSTED',
  CERT_CHAIN_TOO_LONG: 'TLS_UNTRUSTED',
  INVALID_CA: 'TLS_UNTRUSTED',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'TLS_HANDSHAKE',
  EPROTO: 'TLS_HANDSHAKE',
});

const TIMEOUT_BY_PHASE: Readonly<Record<ProbePhase, ProbeErrorCode>> = {
  dns: 'DNS_TIMEOUT',
  connect: 'TCP_TIMEOUT',
  tls: 'TLS_HANDSHAKE',
  http: 'HTTP_TIMEOUT',
  smtp: 'SMTP_TIMEOUT',
};

const FALLBACK_BY_PHASE: Readonly<Record<ProbePhase, ProbeErrorCode>> = {
  dns: 'DNS_ERROR',
  connect: 'TCP_ERROR',
  tls: 'TLS_HANDSHAKE',
  http: 'HTTP_PROTOCOL',
  smtp: 'SMTP_PROTOCOL',
};

function readCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The code for a probe that ran out of time in `phase`. */
export function classifyTimeout(phase: ProbePhase): ProbeErrorCode {
  return TIMEOUT_BY_PHASE[phase];
}

/**
 * The code for an error thrown while a probe was in `phase`. A resolver failure during a connect
 * (http to a name that does not resolve) is still a DNS code: the errno decides first.
 */
export function classifyError(error: unknown, phase: ProbePhase): ProbeErrorCode {
  const code = readCode(error);
  if (code !== undefined) {
    // c-ares reports a refused connection to the resolver itself as ECONNREFUSED: a DNS problem.
    if (phase === 'dns' && code === 'ECONNREFUSED') return 'DNS_ERROR';
    if (phase === 'dns' && code === 'ECANCELLED') return 'DNS_TIMEOUT';
    const mapped = BY_ERRNO.get(code);
    if (mapped !== undefined) return mapped;
    if (code.startsWith('HPE_')) return 'HTTP_PROTOCOL';
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'TLS_HANDSHAKE';
  }
  const message = error instanceof Error ? error.message : '';
  if (/socket hang up/i.test(message)) return 'TCP_RESET';
  return FALLBACK_BY_PHASE[phase];
}

/** A short, secret-free description of an error: its code and the first line of its message. */
export function describeError(error: unknown): string {
  const code = readCode(error);
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const text = code && !message?.includes(code) ? `${code}: ${message}` : (message ?? 'unknown error');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
